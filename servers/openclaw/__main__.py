"""`python -m servers.openclaw [--transport stdio|streamable-http] [--port N]`."""

from servers.openclaw.server import main

main()
