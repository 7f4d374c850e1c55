"""`python -m servers.memory [--transport stdio|streamable-http] [--port N]`."""

from servers.memory.server import main

main()
