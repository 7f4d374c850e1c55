"""`python -m servers.wallet`: run the wallet MCP server standalone."""

from servers.wallet.server import main

main()
