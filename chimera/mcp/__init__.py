"""The MCP host: persistent sessions to Chimera's servers, typed errors, a wallet-only host."""
