"""A wallet server killed between broadcast and settle, then called again with the same key.

See specs/technical.md §11.5 (crash recovery and reconciliation) and specs/functional.md §9.4.
The server process really dies (`os._exit` at the fault point); a fresh server process finishes
the job from the ledger row and the chain: exactly one transfer, ledger and chain agree.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from chimera.mcp.errors import McpCallError
from chimera.mcp.host import McpHost, server_connections
from chimera.mcp.wallet import OPERATOR_TOOLS
from chimera.resources import Services
from tests.support.mcp import WHO_XYZ, XYZ
from tests.support.wallet import Devnet, campaign, funded_wallet, ledger_rows, recipient, send_args


async def crashing_host(svc: Services, fault: str) -> McpHost:
    """A host whose wallet server dies at `fault`."""
    conn = dict(server_connections(svc.settings, svc.endpoints)["wallet"])
    conn["env"] = {**conn["env"], "CHIMERA_WALLET_FAULT": fault}
    host = McpHost({"wallet": conn}, timeout_s=20, retries=0, allow={"wallet": OPERATOR_TOOLS})
    return await host.start()


@pytest.mark.parametrize("fault", ["exit_after_broadcast", "exit_before_broadcast"])
async def test_killed_between_send_and_settle_resumes_to_one_transfer(
    svc: Services, devnet: Devnet, fault: str
) -> None:
    """specs/technical.md §11.5; specs/functional.md §9.4"""
    cmp, to = campaign(), recipient()
    host = await crashing_host(svc, fault)
    try:
        wallet = await funded_wallet(host, WHO_XYZ)
        nonce = await devnet.nonce(wallet["address"])
        args = send_args(WHO_XYZ, wallet["wallet_id"], cmp, amount="7.00", to=to)
        with pytest.raises(McpCallError):
            await host.call_tool("wallet", "send_transaction", args, who=WHO_XYZ)
    finally:
        await host.aclose()
    [row] = await ledger_rows(svc, XYZ, cmp)
    assert row["status"] == "pending" and row["tx_hash"]
    on_chain = Decimal("7") if fault == "exit_after_broadcast" else Decimal("0")
    assert await devnet.usdc_balance(to) == on_chain

    result = await svc.host.call_tool("wallet", "send_transaction", args, who=WHO_XYZ)
    assert result["status"] == "executed" and result["tx_hash"] == row["tx_hash"]
    assert await devnet.usdc_balance(to) == Decimal("7")
    assert await devnet.nonce(wallet["address"]) == nonce + 1
    [settled] = await ledger_rows(svc, XYZ, cmp)
    assert settled["status"] == "settled" and settled["amount"] == Decimal("7")
    again = await svc.host.call_tool("wallet", "send_transaction", args, who=WHO_XYZ)
    assert again["duplicate"] is True and await devnet.nonce(wallet["address"]) == nonce + 1
