"""Human review: approve, edit, reject, races, other tenants, invalid resume values."""

from __future__ import annotations

import asyncio

import pytest

from chimera.control.reviewers import add_user
from chimera.control.summaries import RunSummary
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs.runner import resume_review, run_campaign
from chimera.runs.threads import AlreadyDecided, ReviewNotFound, compile_graph
from state.review import ReviewDecision
from tests.conftest import ETHIOPIA
from tests.support.platform import platform_posts, scalar

TENANT = "tenant-xyz"


async def paused_run(svc: Services, goal: str) -> tuple[RunSummary, str]:
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert summary.state == "paused"
    return summary, summary.pending_reviews[0]["review_id"]


async def test_approving_a_review_publishes_it_exactly_once(svc: Services, goal: str) -> None:
    """specs/functional.md §3, specs/technical.md §5.5"""
    summary, review_id = await paused_run(svc, goal)
    before = len(await platform_posts(svc, TENANT, summary.campaign_id))
    async with tenant_tx(svc.pool, TENANT) as conn:
        user = await add_user(conn, TENANT, "rev-1@tenant-xyz.example", "reviewer")
    done = await resume_review(
        svc,
        tenant_id=TENANT,
        review_id=review_id,
        decision=ReviewDecision(decision="approve", user_id=user["id"]),
    )
    assert done.state == "done" and not done.pending_reviews
    posts = await platform_posts(svc, TENANT, summary.campaign_id)
    assert len(posts) == before + 1
    with pytest.raises(AlreadyDecided, match="already decided"):
        await resume_review(
            svc, tenant_id=TENANT, review_id=review_id, decision=ReviewDecision(decision="approve")
        )
    assert len(await platform_posts(svc, TENANT, summary.campaign_id)) == before + 1
    recorded = user
    user = await scalar(svc, TENANT, "SELECT user_id FROM reviews WHERE review_id = %s", review_id)
    assert user == recorded["id"]


async def test_two_concurrent_approvals_publish_once(svc: Services, goal: str) -> None:
    """specs/technical.md §5.5"""
    summary, review_id = await paused_run(svc, goal)
    before = len(await platform_posts(svc, TENANT, summary.campaign_id))
    approve = ReviewDecision(decision="approve")
    results = await asyncio.gather(
        resume_review(svc, tenant_id=TENANT, review_id=review_id, decision=approve),
        resume_review(svc, tenant_id=TENANT, review_id=review_id, decision=approve),
        return_exceptions=True,
    )
    assert sum(isinstance(r, RunSummary) for r in results) == 1
    assert sum(isinstance(r, AlreadyDecided) for r in results) == 1
    assert len(await platform_posts(svc, TENANT, summary.campaign_id)) == before + 1


async def test_an_edit_publishes_the_edited_text(svc: Services, goal: str) -> None:
    """specs/functional.md §3"""
    summary, review_id = await paused_run(svc, goal)
    text = "Thanks for asking! I talk style, not money. #AIcreator"
    await resume_review(
        svc,
        tenant_id=TENANT,
        review_id=review_id,
        decision=ReviewDecision(decision="edit", text=text),
    )
    posts = await platform_posts(svc, TENANT, summary.campaign_id)
    assert text in [p["text"] for p in posts]


async def test_a_rejection_publishes_nothing_and_records_the_reason(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §3, specs/technical.md §5.8"""
    summary, review_id = await paused_run(svc, goal)
    before = len(await platform_posts(svc, TENANT, summary.campaign_id))
    done = await resume_review(
        svc,
        tenant_id=TENANT,
        review_id=review_id,
        decision=ReviewDecision(decision="reject", reason="off-brand"),
    )
    assert len(await platform_posts(svc, TENANT, summary.campaign_id)) == before
    assert [r["status"] for r in done.rejected] == ["rejected"]
    state = await compile_graph(svc).aget_state({"configurable": {"thread_id": summary.thread_id}})
    assert [r.reason for r in state.values["rejections"]] == ["off-brand"]


async def test_another_tenant_cannot_see_or_approve_a_review(svc: Services, goal: str) -> None:
    """specs/functional.md §5, specs/technical.md §3.2"""
    _, review_id = await paused_run(svc, goal)
    with pytest.raises(ReviewNotFound):
        await resume_review(
            svc,
            tenant_id="tenant-abc",
            review_id=review_id,
            decision=ReviewDecision(decision="approve"),
        )
    status = await scalar(svc, TENANT, "SELECT status FROM reviews WHERE review_id = %s", review_id)
    assert status == "pending"


async def test_an_invalid_resume_value_is_refused_with_a_reason_and_the_review_stays_open(
    svc: Services, goal: str
) -> None:
    """specs/technical.md §2.4"""
    from langgraph.types import Command

    summary, review_id = await paused_run(svc, goal)
    graph = compile_graph(svc)
    config = {"configurable": {"thread_id": summary.thread_id}}
    interrupt_id = (await graph.aget_state(config)).interrupts[0].id
    await graph.ainvoke(Command(resume={interrupt_id: "yes please"}), config)
    status = await scalar(svc, TENANT, "SELECT status FROM reviews WHERE review_id = %s", review_id)
    assert status == "pending"
    again = (await graph.aget_state(config)).interrupts
    assert len(again) == 1 and "resume value must be" in again[0].value["error"]
    done = await resume_review(
        svc, tenant_id=TENANT, review_id=review_id, decision=ReviewDecision(decision="approve")
    )
    assert done.state == "done"


async def test_the_interrupt_carries_the_review_item_in_agent_inbox_shape(
    svc: Services, goal: str
) -> None:
    """specs/technical.md §2.4"""
    summary, review_id = await paused_run(svc, goal)
    state = await compile_graph(svc).aget_state({"configurable": {"thread_id": summary.thread_id}})
    value = state.interrupts[0].value
    assert set(value) >= {"action_request", "config", "description", "review"}
    assert value["action_request"]["action"] == "reply_comment"
    assert value["config"]["allow_edit"] is True
    assert value["review"]["review_id"] == review_id
    assert value["review"]["suggested_actions"] == ["approve", "edit", "reject"]
