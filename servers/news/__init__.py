"""MCP server `news`: niche news as the resource `news://{region}/{topic}/trends`."""
