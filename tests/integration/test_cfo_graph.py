"""Payments in the campaign graph: work -> judge -> cfo -> commit | review | rejection.

See specs/functional.md §9.1, §9.3, §9.5 and specs/technical.md §11.7 (CFO node). A goal asking
for a hero video plans an `execute_transaction` task; the CFO reads the caps through the wallet
server's resources, applies the allow-list and the review threshold, and the money really moves
(or not) on the devnet.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from chimera.control.pnl import PnlQuery, by_task
from chimera.control.summaries import RunSummary
from chimera.mcp.host import CallIdentity, McpHost
from chimera.mcp.wallet import open_wallet_host
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs.runner import resume_review, run_campaign
from state.context import Context
from state.review import ReviewDecision
from tests.conftest import ETHIOPIA
from tests.support.mcp import WHO_XYZ, XYZ
from tests.support.wallet import Devnet, funded_wallet, ledger_rows, recipient


def hero_goal() -> str:
    """A goal that pays for a hero video, unique to the test."""
    return f"Launch the summer line with a hero video (run {uuid.uuid4().hex[:8]})."


async def fund_agent(svc: Services) -> None:
    """Make sure the agent's default wallet exists and holds devnet funds."""
    host = await open_wallet_host(svc.settings, svc.endpoints)
    try:
        await funded_wallet(host, WHO_XYZ)
    finally:
        await host.aclose()


def pay_task(summary: RunSummary) -> dict[str, object]:
    """The run's payment task row."""
    [task] = [t for t in summary.tasks if t["task_type"] == "execute_transaction"]
    return task


async def test_hero_video_goal_pays_the_vendor_once_through_the_cfo(
    svc: Services, devnet: Devnet
) -> None:
    """specs/functional.md §9.1; specs/technical.md §11.7; specs/economics.md §3.2, §3.5"""
    await fund_agent(svc)
    vendor = recipient()
    ctx = Context(hero_video_vendor=vendor, payment_allow_list=(vendor,), tx_review_threshold="30")
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=hero_goal(), context=ctx)
    assert pay_task(summary)["status"] == "done", summary.tasks
    assert await devnet.usdc_balance(vendor) == Decimal("25")
    [row] = await ledger_rows(svc, XYZ, summary.campaign_id)
    assert row["status"] == "settled" and row["to_address"] == vendor
    async with tenant_tx(svc.pool, XYZ) as conn:  # the payment is a cost of its task
        lines = await by_task(conn, PnlQuery(XYZ, ETHIOPIA, summary.campaign_id))
    paid = {t["task_id"]: t["costs"]["payments"] for t in lines if t["costs"]["payments"] != "0.00"}
    assert paid == {pay_task(summary)["task_id"]: "25.00"}


async def test_recipient_off_the_allow_list_is_refused_and_nothing_is_reserved(
    svc: Services,
    devnet: Devnet,
) -> None:
    """specs/functional.md §9.3; specs/technical.md §11.7"""
    await fund_agent(svc)
    vendor = recipient()
    ctx = Context(hero_video_vendor=vendor, payment_allow_list=(recipient(),))
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=hero_goal(), context=ctx)
    task = pay_task(summary)
    assert task["status"] == "rejected"
    assert any("allow-list" in r for r in task["reasons"])  # type: ignore[attr-defined]
    assert await ledger_rows(svc, XYZ, summary.campaign_id) == []
    assert await devnet.usdc_balance(vendor) == 0


async def test_over_cap_payment_is_refused_by_the_cfo(svc: Services) -> None:
    """specs/functional.md §9.3"""
    await fund_agent(svc)
    vendor = recipient()
    ctx = Context(hero_video_vendor=vendor, payment_allow_list=(vendor,), max_per_tx="20.00")
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=hero_goal(), context=ctx)
    task = pay_task(summary)
    assert task["status"] == "rejected"
    assert any("max_per_tx" in r for r in task["reasons"])  # type: ignore[attr-defined]
    assert await ledger_rows(svc, XYZ, summary.campaign_id) == []


async def test_payment_above_threshold_waits_for_a_human_then_pays_once(
    svc: Services, devnet: Devnet
) -> None:
    """specs/functional.md §9.5; specs/technical.md §11.7"""
    await fund_agent(svc)
    vendor = recipient()
    ctx = Context(hero_video_vendor=vendor, payment_allow_list=(vendor,), tx_review_threshold="10")
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=hero_goal(), context=ctx)
    assert pay_task(summary)["status"] == "awaiting_review"
    task_id = pay_task(summary)["task_id"]
    [review] = [r for r in summary.pending_reviews if r["task_id"] == task_id]
    assert review["risk_category"] == "finance_medium" and vendor in review["text"]
    assert await devnet.usdc_balance(vendor) == 0
    done = await resume_review(
        svc,
        tenant_id=XYZ,
        review_id=review["review_id"],
        decision=ReviewDecision(decision="approve"),
    )
    assert pay_task(done)["status"] == "done"
    assert await devnet.usdc_balance(vendor) == Decimal("25")
    assert len(await ledger_rows(svc, XYZ, summary.campaign_id)) == 1


async def _agent_caps(host: McpHost, daily: str | None, monthly: str | None) -> None:
    args = {"tenant_id": XYZ, "agent_id": ETHIOPIA, "max_daily": daily, "max_monthly": monthly}
    await host.call_tool("wallet", "set_agent_caps", args, who=WHO_XYZ)


async def test_over_agent_cap_payment_is_refused_by_the_cfo_before_the_wallet_is_called(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """specs/economics.md §1.4; specs/technical.md §11.7"""
    await fund_agent(svc)
    ops = await open_wallet_host(svc.settings, svc.endpoints)
    [before] = [
        b
        for b in await ops.read_resource("wallet", f"agent://{ETHIOPIA}/budget", who=WHO_XYZ)
        if b["asset"] == "USDC"
    ] or [{"max_daily": None, "max_monthly": None, "spent_today": "0.00"}]
    daily = Decimal(before["spent_today"]) + 10  # the campaign's caps would allow 25 USDC
    tools: list[str] = []
    call_tool = svc.host.call_tool

    async def spy(server: str, name: str, args: dict[str, Any], *, who: CallIdentity) -> Any:
        tools.append(name)
        return await call_tool(server, name, args, who=who)

    monkeypatch.setattr(svc.host, "call_tool", spy)
    try:
        await _agent_caps(ops, str(daily), None)
        vendor = recipient()
        ctx = Context(hero_video_vendor=vendor, payment_allow_list=(vendor,))
        summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=hero_goal(), context=ctx)
    finally:
        await _agent_caps(ops, before["max_daily"], before["max_monthly"])
        await ops.aclose()
    task = pay_task(summary)
    assert task["status"] == "rejected" and task["risk_category"] == "finance_high", task
    over = f"({daily + 15:.2f} > {daily:.2f})"  # spent today + 25
    reason = f"agent max_daily budget exceeded for agent {ETHIOPIA} {over}"
    assert reason in task["reasons"], task["reasons"]  # type: ignore[operator]
    assert "send_transaction" not in tools and tools, tools  # the CFO refused, not the wallet
    assert await ledger_rows(svc, XYZ, summary.campaign_id) == []
