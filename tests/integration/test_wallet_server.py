"""The wallet MCP server over real stdio, on the anvil devnet and the real Postgres ledger.

See specs/technical.md §11.1 (server), §11.2 (ledger), §11.3 (amounts), §11.4 (idempotency) and
specs/functional.md §9.2 (caps), §9.3 (refusals). Every outcome is checked against the chain
(balances, nonces) and the ledger rows, not just the tool's answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from chimera.mcp.errors import InvalidToolArguments, ToolConflict, ToolNotFound
from chimera.mcp.host import McpHost
from chimera.mcp.wallet import open_wallet_host
from chimera.resources import Services
from tests.support.mcp import WHO_ABC, WHO_XYZ, XYZ
from tests.support.wallet import Devnet, campaign, funded_wallet, ledger_rows, recipient, send_args


@pytest.fixture(scope="module")
async def ops(svc: Services) -> AsyncIterator[McpHost]:
    """An operator host on the wallet server (faucet and history allowed)."""
    host = await open_wallet_host(svc.settings, svc.endpoints)
    yield host
    await host.aclose()


@pytest.fixture(scope="module")
async def wallet(ops: McpHost) -> dict[str, str]:
    """tenant-xyz's funded agent wallet."""
    return await funded_wallet(ops, WHO_XYZ)


async def test_create_wallet_is_idempotent_and_stores_only_the_address(
    svc: Services, ops: McpHost, wallet: dict[str, str]
) -> None:
    """specs/technical.md §11.1"""
    again = await ops.call_tool(
        "wallet", "create_wallet", {"tenant_id": XYZ, "agent_id": WHO_XYZ.agent_id}, who=WHO_XYZ
    )
    assert again["wallet_id"] == wallet["wallet_id"] and again["created"] is False
    assert set(again) == {"wallet_id", "agent_id", "network", "address", "created"}
    keyfile = svc.settings.home.resolve() / "keystore" / XYZ / f"{wallet['wallet_id']}.json"
    assert keyfile.stat().st_mode & 0o077 == 0
    assert '"kdf": "scrypt"' in keyfile.read_text()


async def test_send_moves_real_usdc_and_returns_receipt_with_post_balances(
    svc: Services, devnet: Devnet, wallet: dict[str, str]
) -> None:
    """specs/technical.md §11.1, §11.2"""
    to, cmp = recipient(), campaign()
    before = await devnet.usdc_balance(wallet["address"])
    args = send_args(WHO_XYZ, wallet["wallet_id"], cmp, to=to)
    result = await svc.host.call_tool("wallet", "send_transaction", args, who=WHO_XYZ)
    assert result["status"] == "executed", result
    assert result["tx_hash"].startswith("0x") and len(result["tx_hash"]) == 66
    assert await devnet.usdc_balance(to) == Decimal("25")
    assert await devnet.usdc_balance(wallet["address"]) == before - 25
    assert result["post_balances"] == {
        "wallet_balance": f"{before - 25:.2f}",
        "campaign_spend_today": "25.00",
        "campaign_spend_total": "25.00",
    }
    receipt = await devnet.w3.eth.get_transaction_receipt(result["tx_hash"])
    assert receipt["status"] == 1
    budget = await svc.host.read_resource("wallet", f"campaign://{cmp}/budget", who=WHO_XYZ)
    spend = await svc.host.read_resource("wallet", f"campaign://{cmp}/spend", who=WHO_XYZ)
    assert budget["assets"]["USDC"]["max_campaign_total"] == "1000.00"
    assert spend["assets"]["USDC"]["spend_total"] == "25.00"


async def test_same_key_returns_first_receipt_and_other_payload_conflicts(
    svc: Services, devnet: Devnet, wallet: dict[str, str]
) -> None:
    """specs/technical.md §11.4"""
    cmp = campaign()
    args = send_args(WHO_XYZ, wallet["wallet_id"], cmp, amount="5.00")
    first = await svc.host.call_tool("wallet", "send_transaction", args, who=WHO_XYZ)
    nonce = await devnet.nonce(wallet["address"])
    again = await svc.host.call_tool("wallet", "send_transaction", args, who=WHO_XYZ)
    assert again["tx_hash"] == first["tx_hash"] and again["duplicate"] is True
    with pytest.raises(ToolConflict):
        await svc.host.call_tool(
            "wallet", "send_transaction", {**args, "amount": "6.00"}, who=WHO_XYZ
        )
    with pytest.raises(ToolConflict):
        await svc.host.call_tool(
            "wallet", "send_transaction", {**args, "to_address": recipient()}, who=WHO_XYZ
        )
    assert await devnet.nonce(wallet["address"]) == nonce
    assert len(await ledger_rows(svc, XYZ, cmp)) == 1


@pytest.mark.parametrize("amount", ["1e3", "-5", "25.0000001", "0", "1,5", " 5", "NaN", ""])
async def test_malformed_amount_is_refused_before_anything_is_reserved(
    svc: Services, devnet: Devnet, wallet: dict[str, str], amount: str
) -> None:
    """specs/technical.md §11.3; specs/functional.md §9.3"""
    cmp = campaign()
    nonce = await devnet.nonce(wallet["address"])
    args = send_args(WHO_XYZ, wallet["wallet_id"], cmp, amount=amount)
    with pytest.raises(InvalidToolArguments):
        await svc.host.call_tool("wallet", "send_transaction", args, who=WHO_XYZ)
    assert await ledger_rows(svc, XYZ, cmp) == []
    assert await devnet.nonce(wallet["address"]) == nonce


@pytest.mark.parametrize(
    ("to", "why"),
    [
        ("0x1234abcd...", "20-byte"),
        ("0x" + "0" * 40, "zero address"),
        ("0x52908400098527886E0F7030069857D2E4169EE7".replace("E", "e", 1), "checksum"),
    ],
)
async def test_bad_recipient_is_refused_with_reason(
    svc: Services, wallet: dict[str, str], to: str, why: str
) -> None:
    """specs/functional.md §9.3"""
    cmp = campaign()
    args = send_args(WHO_XYZ, wallet["wallet_id"], cmp, to=to)
    with pytest.raises(InvalidToolArguments) as caught:
        await svc.host.call_tool("wallet", "send_transaction", args, who=WHO_XYZ)
    assert why in str(caught.value) or "to_address" in str(caught.value)
    assert await ledger_rows(svc, XYZ, cmp) == []


async def test_over_cap_is_rejected_with_the_cap_named_and_nothing_reserved(
    svc: Services, devnet: Devnet, wallet: dict[str, str]
) -> None:
    """specs/functional.md §9.2, §9.3"""
    cmp = campaign()
    nonce = await devnet.nonce(wallet["address"])
    args = send_args(WHO_XYZ, wallet["wallet_id"], cmp, amount="60.00")
    result = await svc.host.call_tool("wallet", "send_transaction", args, who=WHO_XYZ)
    assert result["status"] == "rejected"
    assert result["reason"].startswith(f"max_per_tx budget exceeded for campaign {cmp}")
    assert await ledger_rows(svc, XYZ, cmp) == []
    assert await devnet.nonce(wallet["address"]) == nonce
    spend = await svc.host.read_resource("wallet", f"campaign://{cmp}/spend", who=WHO_XYZ)
    assert spend["assets"]["USDC"]["spend_total"] == "0.00"


async def test_other_tenants_wallet_is_not_found_and_nothing_is_reserved(
    svc: Services, devnet: Devnet, wallet: dict[str, str]
) -> None:
    """specs/functional.md §9.3; specs/_meta.md §2.6"""
    cmp = campaign()
    nonce = await devnet.nonce(wallet["address"])
    stolen = {**send_args(WHO_ABC, wallet["wallet_id"], cmp), "agent_id": WHO_ABC.agent_id}
    with pytest.raises(ToolNotFound):
        await svc.host.call_tool("wallet", "send_transaction", stolen, who=WHO_ABC)
    with pytest.raises(ToolNotFound):
        await svc.host.call_tool(
            "wallet",
            "get_balance",
            {
                "tenant_id": WHO_ABC.tenant_id,
                "agent_id": WHO_ABC.agent_id,
                "wallet_id": wallet["wallet_id"],
            },
            who=WHO_ABC,
        )
    assert await ledger_rows(svc, WHO_ABC.tenant_id, cmp) == []
    assert await devnet.nonce(wallet["address"]) == nonce


async def test_fifty_concurrent_sends_never_exceed_the_cap(
    svc: Services, devnet: Devnet, ops: McpHost, wallet: dict[str, str]
) -> None:
    """specs/functional.md §9.2; specs/technical.md §11.2"""
    cmp, to = campaign(), recipient()
    caps = ("50.00", "1000.00", "95.00")  # floor(95 / 10) == 9 transfers may run
    calls = [
        host.call_tool(
            "wallet",
            "send_transaction",
            send_args(WHO_XYZ, wallet["wallet_id"], cmp, amount="10.00", to=to, caps=caps),
            who=WHO_XYZ,
        )
        for i in range(50)
        for host in [svc.host if i % 2 else ops]  # two server processes race on one ledger
    ]
    results = await asyncio.gather(*calls)
    executed = [r for r in results if r["status"] == "executed"]
    assert len(executed) == 9
    assert {r["status"] for r in results} == {"executed", "rejected"}
    assert len({r["tx_hash"] for r in executed}) == 9
    assert await devnet.usdc_balance(to) == Decimal("90")
    rows = await ledger_rows(svc, XYZ, cmp)
    assert sum(r["amount"] for r in rows if r["status"] == "settled") == Decimal("90")
    assert len(rows) == 9
