"""`python -m servers.news [--transport stdio|streamable-http] [--port N]`."""

from servers.news.server import main

main()
