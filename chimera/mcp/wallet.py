"""A host on the wallet server alone, for operator paths (CLI, the zero-config skill entry).

The campaign graph's host may only call `create_wallet`, `get_balance` and `send_transaction`
(its allow-list in `mcp_host.SERVERS`). Operators also fund devnet wallets and read the ledger's
history, so their host opens just the wallet server with those tools allowed as well.
"""

from __future__ import annotations

from chimera.mcp.host import SERVERS, McpHost, connection_token, server_connections
from chimera.platform.embedded import Endpoints
from chimera.platform.settings import Settings

OPERATOR_TOOLS = SERVERS["wallet"] | {
    "fund_wallet",
    "list_transactions",
    "set_agent_caps",
    "scan_income",
    "list_income",
    "create_invoice",
    "devnet_pay",
}
"""Wallet tools an operator may call."""


async def open_wallet_host(settings: Settings, endpoints: Endpoints) -> McpHost:
    """Start a host with only the wallet server, operator tools allowed."""
    token = await connection_token(settings, "operator")
    connections = {"wallet": server_connections(settings, endpoints, token)["wallet"]}
    host = McpHost(
        connections,
        timeout_s=settings.mcp_call_timeout_s,
        retries=settings.mcp_retries,
        allow={"wallet": OPERATOR_TOOLS},
    )
    return await host.start()
