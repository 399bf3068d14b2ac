"""Layer 5, fitting: least squares and minimax engines, the fitting core, FitResult."""
