"""Layer 7, studies: reproduce the seeds' claims, provenance of constants, Pareto sweeps."""
