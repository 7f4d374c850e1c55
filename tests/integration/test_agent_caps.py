"""Per-agent caps on the wallet server: concurrent payments over many campaigns of one agent.

See specs/economics.md §1. Each test pays from a fresh agent (its own wallet and agent budget
row), checked against the chain and the ledger rows, not just the tools' answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from chimera.mcp.errors import InvalidToolArguments
from chimera.mcp.host import McpHost
from chimera.mcp.wallet import open_wallet_host
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from servers.wallet import agent_caps
from servers.wallet.ledger import today
from tests.support.economics import fresh_agent
from tests.support.mcp import XYZ
from tests.support.wallet import Devnet, campaign, funded_wallet, recipient, send_args


@pytest.fixture(scope="module")
async def ops(svc: Services) -> AsyncIterator[McpHost]:
    """An operator host on the wallet server (faucet and caps allowed)."""
    host = await open_wallet_host(svc.settings, svc.endpoints)
    yield host
    await host.aclose()


async def settled_total(svc: Services, agent_id: str) -> Decimal:
    """The agent's settled USDC spend in the ledger."""
    async with tenant_tx(svc.pool, XYZ) as conn:
        row = await (
            await conn.execute(
                "SELECT coalesce(sum(amount), 0) AS total FROM wallet_transactions"
                " WHERE agent_id = %s AND status = 'settled'",
                (agent_id,),
            )
        ).fetchone()
    assert row is not None
    return Decimal(row["total"])


async def test_fifty_concurrent_payments_over_five_campaigns_never_exceed_the_agent_daily_cap(
    svc: Services, devnet: Devnet, ops: McpHost
) -> None:
    """specs/economics.md §1.1, §1.2"""
    who = await fresh_agent(svc, XYZ)
    wallet = await funded_wallet(ops, who)
    caps = await ops.call_tool(
        "wallet",
        "set_agent_caps",
        {"tenant_id": XYZ, "agent_id": who.agent_id, "max_daily": "75.00"},
        who=who,
    )
    assert caps["max_daily"] == "75.00" and caps["max_monthly"] is None
    campaigns, to = [campaign() for _ in range(5)], recipient()
    guard = ("50.00", "1000.00", "1000.00")  # each campaign alone would allow all ten
    calls = [
        host.call_tool(
            "wallet",
            "send_transaction",
            send_args(who, wallet["wallet_id"], cmp, amount="10.00", to=to, caps=guard),
            who=who,
        )
        for i in range(50)
        for cmp in [campaigns[i % 5]]
        for host in [svc.host if i % 2 else ops]  # two server processes race on one ledger
    ]
    results = await asyncio.gather(*calls)
    executed = [r for r in results if r["status"] == "executed"]
    assert len(executed) == 7  # floor(75 / 10)
    refused = [r["reason"] for r in results if r["status"] == "rejected"]
    assert len(refused) == 43 and all("agent max_daily" in r for r in refused), refused[:3]
    assert await devnet.usdc_balance(to) == Decimal("70")
    assert await settled_total(svc, who.agent_id) == Decimal("70")
    budget = await ops.read_resource("wallet", f"agent://{who.agent_id}/budget", who=who)
    assert budget[0]["spent_today"] == "70.00"


async def test_refused_payment_frees_nothing_and_a_failed_one_gives_the_agent_its_hold_back(
    svc: Services, ops: McpHost
) -> None:
    """specs/economics.md §1.2"""
    who = await fresh_agent(svc, XYZ)
    wallet = await funded_wallet(ops, who)
    await ops.call_tool(
        "wallet",
        "set_agent_caps",
        {"tenant_id": XYZ, "agent_id": who.agent_id, "max_daily": "2000", "max_monthly": "30"},
        who=who,
    )
    first = await ops.call_tool(
        "wallet", "send_transaction", send_args(who, wallet["wallet_id"], campaign()), who=who
    )
    assert first["status"] == "executed"
    over = await ops.call_tool(
        "wallet", "send_transaction", send_args(who, wallet["wallet_id"], campaign()), who=who
    )
    assert over["status"] == "rejected"
    assert "agent max_monthly budget exceeded" in over["reason"]
    assert "(50.00 > 30.00)" in over["reason"]
    # 2000 USDC exceeds the wallet's balance: reserved, then released before signing
    short = send_args(who, wallet["wallet_id"], campaign(), amount="2000", caps=("5000",) * 3)
    await ops.call_tool(
        "wallet",
        "set_agent_caps",
        {"tenant_id": XYZ, "agent_id": who.agent_id, "max_monthly": "5000"},
        who=who,
    )
    failed = await ops.call_tool("wallet", "send_transaction", short, who=who)
    assert failed["status"] == "failed"
    budget = await ops.read_resource("wallet", f"agent://{who.agent_id}/budget", who=who)
    assert budget[0]["spent_month"] == "25.00"


async def test_agent_caps_with_a_malformed_amount_are_refused(svc: Services, ops: McpHost) -> None:
    """specs/economics.md §1.3"""
    who = await fresh_agent(svc, XYZ)
    with pytest.raises(InvalidToolArguments, match="decimal string"):
        await ops.call_tool(
            "wallet",
            "set_agent_caps",
            {"tenant_id": XYZ, "agent_id": who.agent_id, "max_daily": "ten"},
            who=who,
        )


async def test_an_agent_that_never_paid_reads_with_the_default_caps_its_first_payment_gets(
    svc: Services,
) -> None:
    """specs/economics.md §1.4, §1.1"""
    who = await fresh_agent(svc, XYZ)
    async with tenant_tx(svc.pool, XYZ) as conn:
        shown = await agent_caps.agent_budget(conn, who.agent_id, today(), (Decimal(75), None))
        none = await agent_caps.agent_budget(conn, who.agent_id, today())
    assert shown == [
        {
            "agent_id": who.agent_id,
            "asset": "USDC",
            "max_daily": "75.00",
            "max_monthly": None,
            "spent_today": "0.00",
            "spent_month": "0.00",
        }
    ]
    assert none == []  # no default caps: no caps to show
