"""``python -m approxfit`` runs the command line."""

from approxfit.cli.main import main

main()
