"""Layer 8, the ``approxfit`` command line: thin typer commands over the library."""
