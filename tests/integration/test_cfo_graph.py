"""Payments in the campaign graph: work -> judge -> cfo -> commit | review | rejection.

See specs/functional.md §9.1, §9.3, §9.5 and specs/technical.md §11.7 (CFO node). A goal asking
for a hero video plans an `execute_transaction` task; the CFO reads the caps through the wallet
server's resources, applies the allow-list and the review threshold, and the money really moves
(or not) on the devnet.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from chimera.control.summaries import RunSummary
from chimera.mcp.wallet import open_wallet_host
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
    """specs/functional.md §9.1; specs/technical.md §11.7"""
    await fund_agent(svc)
    vendor = recipient()
    ctx = Context(hero_video_vendor=vendor, payment_allow_list=(vendor,), tx_review_threshold="30")
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=hero_goal(), context=ctx)
    assert pay_task(summary)["status"] == "done", summary.tasks
    assert await devnet.usdc_balance(vendor) == Decimal("25")
    [row] = await ledger_rows(svc, XYZ, summary.campaign_id)
    assert row["status"] == "settled" and row["to_address"] == vendor


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
