"""Layer 6, presentation: figures and text rendering of results (no fitting)."""
