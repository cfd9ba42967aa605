"""`python -m escg` runs the command line."""

from escg.console import main

main()
