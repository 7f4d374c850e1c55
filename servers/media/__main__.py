"""`python -m servers.media [--transport stdio|streamable-http] [--port N]`."""

from servers.media.server import main

main()
