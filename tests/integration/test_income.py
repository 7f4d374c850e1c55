"""Income found on the devnet: tips, sponsor invoices and refunds, recorded once.

See specs/economics.md §2. A devnet sponsor account pays a fresh agent's wallet; scans run
through the wallet server (two processes for the restart), and the records are checked against
what was sent on chain.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from chimera.mcp.errors import InvalidToolArguments, ToolNotFound
from chimera.mcp.host import CallIdentity, McpHost
from chimera.mcp.wallet import open_wallet_host
from chimera.resources import Services
from tests.support.economics import fresh_agent
from tests.support.mcp import ABC, WHO_ABC, XYZ
from tests.support.wallet import Devnet, campaign, funded_wallet, send_args


@pytest.fixture(scope="module")
async def ops(svc: Services) -> AsyncIterator[McpHost]:
    """An operator host on the wallet server (income tools allowed)."""
    host = await open_wallet_host(svc.settings, svc.endpoints)
    yield host
    await host.aclose()


async def _scan(host: McpHost, who: CallIdentity, **args: object) -> list[dict[str, str]]:
    result = await host.call_tool(
        "wallet", "scan_income", {"tenant_id": who.tenant_id, **args}, who=who
    )
    return [r for r in result["recorded"] if r["agent_id"] == who.agent_id]


async def _income(host: McpHost, who: CallIdentity) -> list[dict[str, str]]:
    args = {"tenant_id": who.tenant_id, "agent_id": who.agent_id}
    return list((await host.call_tool("wallet", "list_income", args, who=who))["income"])


async def test_a_tip_appears_once_after_its_confirmations_also_after_a_restart_and_rescan(
    svc: Services, devnet: Devnet, ops: McpHost
) -> None:
    """specs/economics.md §2.1, §2.2, §2.3"""
    who = await fresh_agent(svc, XYZ)
    await funded_wallet(ops, who)  # the faucet's mint is not income
    ids = {"tenant_id": XYZ, "agent_id": who.agent_id}
    tip = await ops.call_tool("wallet", "devnet_pay", {**ids, "amount": "7.50"}, who=who)
    assert await _scan(ops, who, confirmations=2) == []  # not deep enough yet
    for _ in range(2):
        await devnet.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    [found] = await _scan(ops, who, confirmations=2)
    assert (found["amount"], found["purpose"]) == ("7.50", "tip")
    assert found["counterparty"].lower() == tip["sponsor_address"].lower()
    assert found["tx_hash"] == tip["tx_hash"]
    restarted = await open_wallet_host(svc.settings, svc.endpoints)
    try:
        assert await _scan(restarted, who, confirmations=0) == []
        assert await _scan(restarted, who, confirmations=0, from_block=0) == []  # re-scan
        assert [i["tx_hash"] for i in await _income(restarted, who)] == [tip["tx_hash"]]
    finally:
        await restarted.aclose()


async def test_a_paid_invoice_is_sponsorship_income_linked_to_its_campaign(
    svc: Services, ops: McpHost
) -> None:
    """specs/economics.md §2.2, §2.4"""
    who = await fresh_agent(svc, XYZ)
    await funded_wallet(ops, who)
    ids, cmp = {"tenant_id": XYZ, "agent_id": who.agent_id}, campaign()
    bill = await ops.call_tool(
        "wallet",
        "create_invoice",
        {**ids, "sponsor": "Brand ABC", "amount": "120.00", "campaign_id": cmp},
        who=who,
    )
    assert bill["status"] == "open"
    await ops.call_tool("wallet", "devnet_pay", {**ids, "invoice_id": bill["invoice_id"]}, who=who)
    [found] = await _scan(ops, who, confirmations=0)
    assert (found["purpose"], found["campaign_id"]) == ("sponsorship", cmp)
    assert (found["invoice_id"], found["amount"]) == (bill["invoice_id"], "120.00")


async def test_money_back_from_an_address_the_agent_paid_is_a_refund(
    svc: Services, ops: McpHost
) -> None:
    """specs/economics.md §2.2"""
    who = await fresh_agent(svc, XYZ)
    wallet = await funded_wallet(ops, who)
    ids = {"tenant_id": XYZ, "agent_id": who.agent_id}
    probe = await ops.call_tool("wallet", "devnet_pay", {**ids, "amount": "1.00"}, who=who)
    sponsor = probe["sponsor_address"]
    [tip] = await _scan(ops, who, confirmations=0)
    assert tip["purpose"] == "tip"  # nothing was paid to the sponsor yet
    paid = await ops.call_tool(
        "wallet",
        "send_transaction",
        send_args(who, wallet["wallet_id"], campaign(), amount="5.00", to=sponsor),
        who=who,
    )
    assert paid["status"] == "executed"
    await ops.call_tool("wallet", "devnet_pay", {**ids, "amount": "5.00"}, who=who)
    [back] = await _scan(ops, who, confirmations=0)
    assert (back["amount"], back["purpose"]) == ("5.00", "refund")


async def test_another_tenants_income_and_invoices_are_not_found(
    svc: Services, ops: McpHost
) -> None:
    """specs/economics.md §2.3, §2.5"""
    who = await fresh_agent(svc, XYZ)
    await funded_wallet(ops, who)
    ids = {"tenant_id": XYZ, "agent_id": who.agent_id}
    bill = await ops.call_tool(
        "wallet", "create_invoice", {**ids, "sponsor": "Brand", "amount": "3.00"}, who=who
    )
    await ops.call_tool("wallet", "devnet_pay", {**ids, "amount": "2.00"}, who=who)
    assert await _scan(ops, WHO_ABC, confirmations=0) == []
    income = await ops.call_tool("wallet", "list_income", {"tenant_id": ABC}, who=WHO_ABC)
    assert all(r["agent_id"] != who.agent_id for r in income["income"])
    other = {"tenant_id": ABC, "agent_id": WHO_ABC.agent_id, "invoice_id": bill["invoice_id"]}
    with pytest.raises(ToolNotFound):
        await ops.call_tool("wallet", "devnet_pay", other, who=WHO_ABC)
    with pytest.raises(InvalidToolArguments, match="exactly one"):
        await ops.call_tool("wallet", "devnet_pay", ids, who=who)
