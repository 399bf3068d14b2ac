"""``python -m approxfit`` runs the command line."""

from approxfit.cli import main

main()
