"""``python -m approxfit`` runs the command line."""

from approxfit.cli import run

run()
