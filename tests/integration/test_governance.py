"""Governance: several reviews at once, reviewers as users, expiry, audit trail.

Proves specs/functional.md §3.5, §3.6, §3.7, §3.9 and
specs/technical.md §12.1, §12.2, §12.3, §12.5.
"""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.types import Command

from chimera.control import audit, reviewers
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs import inbox
from chimera.runs.runner import run_campaign
from chimera.runs.threads import AlreadyDecided, compile_graph
from state.review import ReviewDecision
from tests.conftest import ETHIOPIA
from tests.support.governance import campaign_with_policy, events, expire_now
from tests.support.platform import platform_posts, scalar

TENANT = "tenant-xyz"


async def test_several_reviews_wait_at_once_and_are_approved_together_by_interrupt_id(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §3.5, §3.10, specs/technical.md §12.1"""
    campaign_id = await campaign_with_policy(svc, goal, sensitive_topics=["fashion"])
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert summary.state == "paused"
    rows = await inbox.list_reviews(svc, TENANT, campaign_id=campaign_id, risk="fashion")
    assert len(rows) == 2 and {r["thread_id"] for r in rows} == {summary.thread_id}
    ids = [r["interrupt_id"] for r in rows]
    assert all(ids) and len(set(ids)) == 2
    assert await platform_posts(svc, TENANT, campaign_id) == []
    done = await inbox.decide(svc, TENANT, ids, ReviewDecision(decision="approve"))
    posts = await platform_posts(svc, TENANT, campaign_id)
    assert len(done) == 1
    assert {r["task_id"] for r in rows} <= {p["task_id"] for p in posts}


async def test_a_rejections_reason_reaches_the_replan(svc: Services, goal: str) -> None:
    """specs/functional.md §3.5, specs/technical.md §12.1"""
    campaign_id = await campaign_with_policy(svc, goal, sensitive_topics=["fashion"])
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    rows = await inbox.list_reviews(svc, TENANT, campaign_id=campaign_id)
    reason = "Too salesy; talk about the weavers instead."
    await inbox.decide(
        svc,
        TENANT,
        [r["review_id"] for r in rows],
        ReviewDecision(decision="reject", reason=reason),
    )
    state = await compile_graph(svc).aget_state({"configurable": {"thread_id": summary.thread_id}})
    replanned = [t for t in state.values["tasks"].values() if t.params["key"].endswith("-r1")]
    assert len(replanned) == 2
    assert all(reason in t.params["avoid"] for t in replanned)


async def test_an_expired_review_is_rejected_when_next_decided_and_audited_never_when_listed(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §3.7, specs/technical.md §12.3"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = summary.pending_reviews[0]["review_id"]
    before = len(await platform_posts(svc, TENANT, summary.campaign_id))
    await expire_now(svc, TENANT, review_id)
    assert await inbox.list_reviews(svc, TENANT, campaign_id=summary.campaign_id) == []
    status = "SELECT status || '/' || coalesce(decision, '-') FROM reviews WHERE review_id = %s"
    assert await scalar(svc, TENANT, status, review_id) == "pending/-"  # listing decides nothing
    with pytest.raises(AlreadyDecided, match="expired"):
        await inbox.decide(svc, TENANT, [review_id], ReviewDecision(decision="approve"))
    assert await scalar(svc, TENANT, status, review_id) == "expired/reject"
    expired = await events(svc, summary.campaign_id, "review_expired")
    assert [e["detail"]["review_id"] for e in expired] == [review_id]
    assert "expired" in expired[0]["detail"]["reason"]
    assert len(await platform_posts(svc, TENANT, summary.campaign_id)) == before


async def test_running_a_paused_campaign_again_expires_its_due_reviews_first(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §3.7, specs/technical.md §12.3 (a run touches its reviews)"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = summary.pending_reviews[0]["review_id"]
    await expire_now(svc, TENANT, review_id)
    again = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert again.thread_id == summary.thread_id and "expired review" in again.note
    assert review_id not in {r["review_id"] for r in again.pending_reviews}
    row = await scalar(
        svc, TENANT, "SELECT status || '/' || decision FROM reviews WHERE review_id = %s", review_id
    )
    assert row == "expired/reject"
    assert [
        e["detail"]["review_id"] for e in await events(svc, again.campaign_id, "review_expired")
    ] == [review_id]


async def test_the_audit_trace_of_a_published_post_names_plan_task_verdict_and_reviewer(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §3.9, specs/technical.md §12.5"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = summary.pending_reviews[0]["review_id"]
    async with tenant_tx(svc.pool, TENANT) as conn:
        user = await reviewers.add_user(conn, TENANT, "auditor-rev@tenant-xyz.example", "reviewer")
    await inbox.decide(
        svc, TENANT, [review_id], ReviewDecision(decision="approve"), user=user["email"]
    )
    async with tenant_tx(svc.pool, TENANT) as conn:
        chains = await audit.trace(conn, summary.campaign_id)
    reviewed = [c for c in chains if c["reviewer"] is not None]
    assert len(chains) == len(await platform_posts(svc, TENANT, summary.campaign_id))
    assert len(reviewed) == 1
    chain = reviewed[0]
    assert chain["plan_id"] and chain["planner"] and chain["task_id"]
    assert chain["verdict"] == "review" and chain["reviewer"] == user["id"]
    names = [s["event"] for s in chain["steps"]]
    for event in ("plan_written", "task_planned", "artifact", "verdict", "escalated"):
        assert event in names
    assert names[-2:] == ["review_decision", "side_effect"]
    assert all(s["tenant_id"] == TENANT for s in chain["steps"] if "tenant_id" in s)


async def test_a_user_of_another_tenant_or_without_the_reviewer_role_is_refused(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §3.6, specs/technical.md §12.2"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = summary.pending_reviews[0]["review_id"]
    async with tenant_tx(svc.pool, TENANT) as conn:
        operator = await reviewers.add_user(
            conn, TENANT, "ops@tenant-xyz.example", "network_operator"
        )
    other = reviewers.user_id_for("tenant-abc", reviewers.default_reviewer_email("tenant-abc"))
    for who in (operator["id"], other):
        with pytest.raises(reviewers.NotAuthorized):
            await inbox.decide(
                svc, TENANT, [review_id], ReviewDecision(decision="approve"), user=who
            )
    status = await scalar(svc, TENANT, "SELECT status FROM reviews WHERE review_id = %s", review_id)
    assert status == "pending"


async def test_a_server_resume_without_a_reviewer_or_with_a_false_expiry_is_asked_again(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §3.6, specs/technical.md §12.2, §12.3"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = summary.pending_reviews[0]["review_id"]
    graph = compile_graph(svc)
    config: Any = {"configurable": {"thread_id": summary.thread_id}}
    for answer, error in (
        ({"decision": "approve"}, "user id or email is required"),
        ({"decision": "reject", "reason": "late", "expired": True}, "only an expired review"),
        ({"decision": "approve", "user_id": "user-nobody"}, "not found for this tenant"),
    ):
        [pending] = (await graph.aget_state(config)).interrupts
        await graph.ainvoke(Command(resume={pending.id: answer}), config)
        [again] = (await graph.aget_state(config)).interrupts
        assert error in again.value["error"]
    status = await scalar(svc, TENANT, "SELECT status FROM reviews WHERE review_id = %s", review_id)
    assert status == "pending"
    reviewer = reviewers.user_id_for(TENANT, reviewers.default_reviewer_email(TENANT))
    await graph.ainvoke(
        Command(resume={again.id: {"decision": "approve", "user_id": reviewer}}), config
    )
    user = await scalar(svc, TENANT, "SELECT user_id FROM reviews WHERE review_id = %s", review_id)
    assert user == reviewer


async def test_a_decided_review_waits_for_its_undecided_sibling_before_publishing(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §3.5, specs/technical.md §12.1"""
    campaign_id = await campaign_with_policy(svc, goal, sensitive_topics=["fashion"])
    await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    first, second = await inbox.list_reviews(svc, TENANT, campaign_id=campaign_id)
    [partial] = await inbox.decide(
        svc, TENANT, [first["review_id"]], ReviewDecision(decision="approve")
    )
    assert partial.state == "paused"
    assert [r["review_id"] for r in partial.pending_reviews] == [second["review_id"]]
    assert await platform_posts(svc, TENANT, campaign_id) == []
    await inbox.decide(svc, TENANT, [second["interrupt_id"]], ReviewDecision(decision="approve"))
    posts = await platform_posts(svc, TENANT, campaign_id)
    assert {first["task_id"], second["task_id"]} <= {p["task_id"] for p in posts}


async def test_a_refused_answer_stays_refused_when_the_node_replays_it(
    svc: Services, goal: str
) -> None:
    """specs/technical.md §12.2"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = summary.pending_reviews[0]["review_id"]
    graph = compile_graph(svc)
    config: Any = {"configurable": {"thread_id": summary.thread_id}}
    late = reviewers.user_id_for(TENANT, "late-reviewer@tenant-xyz.example")
    [pending] = (await graph.aget_state(config)).interrupts
    refused = {"decision": "reject", "reason": "not yet a user", "user_id": late}
    await graph.ainvoke(Command(resume={pending.id: refused}), config)
    async with tenant_tx(svc.pool, TENANT) as conn:
        await reviewers.add_user(conn, TENANT, "late-reviewer@tenant-xyz.example", "reviewer")
    [again] = (await graph.aget_state(config)).interrupts
    await graph.ainvoke(
        Command(resume={again.id: {"decision": "approve", "user_id": late}}), config
    )
    row = await scalar(
        svc, TENANT, "SELECT status || '/' || user_id FROM reviews WHERE review_id = %s", review_id
    )
    assert row == f"approve/{late}"
    refusals = await events(svc, summary.campaign_id, "review_answer_refused")
    assert [e["detail"]["attempt"] for e in refusals] == [0]
