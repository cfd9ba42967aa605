"""`python -m escg` runs the command line."""

from escg.cli import main

main()
