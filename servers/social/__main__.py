"""`python -m servers.social [--transport stdio|streamable-http] [--port N]`."""

from servers.social.server import main

main()
