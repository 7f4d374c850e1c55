"""The fallback chain: the wallet server runs an in-process eth-tester (py-evm) chain.

See specs/technical.md §11.1. Where Node (anvil) is absent the wallet server deploys the devnet
USDC into its own in-process chain; payments, caps and idempotency work the same, within that
one process's life.
"""

from __future__ import annotations

from chimera.mcp.host import McpHost, server_connections
from chimera.mcp.wallet import OPERATOR_TOOLS
from chimera.resources import Services
from tests.support.mcp import WHO_XYZ
from tests.support.wallet import campaign, funded_wallet, send_args


async def test_payments_work_on_the_in_process_eth_tester_chain(svc: Services) -> None:
    """specs/technical.md §11.1"""
    conn = dict(server_connections(svc.settings, svc.endpoints)["wallet"])
    env = {k: v for k, v in conn["env"].items() if k != "CHIMERA_CHAIN_RPC_URL"}
    conn["env"] = {**env, "CHIMERA_CHAIN": "eth-tester"}
    host = await McpHost({"wallet": conn}, allow={"wallet": OPERATOR_TOOLS}).start()
    try:
        wallet = await funded_wallet(host, WHO_XYZ)
        cmp = campaign()
        args = send_args(WHO_XYZ, wallet["wallet_id"], cmp, amount="30.00")
        first = await host.call_tool("wallet", "send_transaction", args, who=WHO_XYZ)
        assert first["status"] == "executed" and len(first["tx_hash"]) == 66
        again = await host.call_tool("wallet", "send_transaction", args, who=WHO_XYZ)
        assert again["tx_hash"] == first["tx_hash"] and again["duplicate"] is True
        over = send_args(
            WHO_XYZ, wallet["wallet_id"], cmp, amount="30.00", caps=("50", "50", "1000")
        )
        refused = await host.call_tool("wallet", "send_transaction", over, who=WHO_XYZ)
        assert refused["status"] == "rejected" and "max_daily" in refused["reason"]
        balance = await host.call_tool(
            "wallet",
            "get_balance",
            {"tenant_id": WHO_XYZ.tenant_id, "agent_id": WHO_XYZ.agent_id},
            who=WHO_XYZ,
        )
        assert balance["balances"]["USDC"] == "970.00"
    finally:
        await host.aclose()
