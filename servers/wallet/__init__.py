"""The wallet MCP server: non-custodial wallets, a budget ledger and a local EVM devnet."""
