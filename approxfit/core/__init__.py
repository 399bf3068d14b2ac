"""Layer 0, core values: exceptions, names and choices, safe expressions, atomic
output, targets and sampling grids.  Imports nothing else of approxfit."""
