"""`python -m chimera ...`: the same CLI as the `chimera` script."""

from chimera.cli.main import main

main()
