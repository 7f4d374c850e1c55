"""Run reports explain every task's end; a refused plan is `refused` (specs/governance.md §3)."""

from __future__ import annotations

import uuid

from chimera.resources import Services
from chimera.runs.runner import resume_review, run_campaign
from state.records import TaskStatus
from state.review import ReviewDecision
from tests.conftest import ETHIOPIA
from tests.support.governance import events

TENANT = "tenant-xyz"


async def test_a_goal_on_a_forbidden_topic_is_refused_with_its_reason(svc: Services) -> None:
    """specs/governance.md §3.2"""
    goal = "Promote the summer drop to voters before the election."
    campaign = f"cmp-refused-{uuid.uuid4().hex[:8]}"  # its own campaign: one refusal event
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal, campaign_id=campaign)
    assert summary.state == "refused"
    assert "forbidden topics" in summary.reason and "politics" in summary.reason
    assert summary.tasks == [] and summary.published == []
    [refused] = await events(svc, summary.campaign_id, "plan_refused")
    assert refused["detail"]["reason"] == summary.reason


async def test_a_finished_run_explains_every_task_that_did_not_succeed(
    svc: Services, goal: str
) -> None:
    """specs/governance.md §3.1"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert summary.state == "paused"
    review_id = summary.pending_reviews[0]["review_id"]
    done = await resume_review(
        svc,
        tenant_id=TENANT,
        review_id=review_id,
        decision=ReviewDecision(decision="reject", reason="Not our topic."),
    )
    assert done.state == "done"
    statuses = {t["status"] for t in done.tasks}
    assert statuses <= {TaskStatus.DONE, TaskStatus.REJECTED, TaskStatus.FAILED, "skipped"}
    [rejected] = done.rejected
    assert "Not our topic." in rejected["reason"]
