"""A whole campaign on the embedded default: plan, fan-out, judge, publish, escalate."""

from __future__ import annotations

from blockbuster import blockbuster_ctx

from chimera.resources import Services
from chimera.runs.runner import run_campaign
from state.inputs import default_campaign_id
from tests.conftest import ETHIOPIA
from tests.support.platform import platform_posts, scalar


async def test_campaign_publishes_posts_and_escalates_the_finance_reply(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §2, specs/technical.md §5.1"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert summary.state == "paused"
    assert len(summary.published) >= 2
    assert {p["platform"] for p in summary.published} >= {"tiktok", "instagram"}
    assert len(summary.pending_reviews) == 1
    assert summary.pending_reviews[0]["risk_category"] == "finance_medium"
    posts = await platform_posts(svc, "tenant-xyz", summary.campaign_id)
    assert len(posts) == len(summary.published)
    assert all("#AIcreator" in p["text"] for p in posts)


async def test_running_the_same_campaign_again_publishes_nothing_twice(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §2, specs/technical.md §5.6"""
    first = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    again = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert again.thread_id == first.thread_id and again.state == "paused"
    assert "waiting for reviews" in again.note
    posts = await platform_posts(svc, "tenant-xyz", first.campaign_id)
    assert len(posts) == len(first.published)


async def test_a_new_run_after_a_finished_one_reuses_every_recorded_side_effect(
    svc: Services,
) -> None:
    """specs/technical.md §5.6, specs/engagement.md §3"""
    goal = "Celebrate local weavers with the summer drop."
    campaign = default_campaign_id(ETHIOPIA, goal) + "-again"
    from chimera.runs.runner import resume_review
    from state.review import ReviewDecision

    first = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal, campaign_id=campaign)
    for review in first.pending_reviews:
        await resume_review(
            svc,
            tenant_id="tenant-xyz",
            review_id=review["review_id"],
            decision=ReviewDecision(decision="approve"),
        )
    before = await platform_posts(svc, "tenant-xyz", campaign)
    second = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal, campaign_id=campaign)
    assert second.thread_id != first.thread_id and second.state in {"done", "paused"}
    after = await platform_posts(svc, "tenant-xyz", campaign)
    earlier = [p["post_id"] for p in before]
    assert [p["post_id"] for p in after if p["post_id"] in earlier] == earlier
    # What is new answers only mentions the first run left waiting (specs/engagement.md §3).
    fresh = [p for p in after if p["post_id"] not in earlier]
    assert all(p["reply_to_id"] for p in fresh)
    assert not {p["reply_to_id"] for p in fresh} & {p["reply_to_id"] for p in before}
    reused = await scalar(
        svc,
        "tenant-xyz",
        "SELECT count(*) FROM audit_log WHERE thread_id = %s AND event = 'side_effect'"
        " AND (detail->>'reused')::bool",
        second.thread_id,
    )
    assert reused == sum(1 for p in before if not p["reply_to_id"])


async def test_a_campaign_run_never_blocks_the_event_loop(svc: Services, goal: str) -> None:
    """specs/technical.md §7"""
    with blockbuster_ctx(["chimera", "nodes", "graphs", "state"]):
        summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert summary.published


async def test_every_step_of_a_run_is_in_the_audit_log(svc: Services, goal: str) -> None:
    """specs/_meta.md §2.5"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    events = await scalar(
        svc,
        "tenant-xyz",
        "SELECT array_agg(DISTINCT event ORDER BY event) FROM audit_log WHERE thread_id = %s",
        summary.thread_id,
    )
    assert set(events) >= {"run_started", "plan_written", "verdict", "side_effect"}


async def test_a_second_driver_of_a_running_campaign_is_refused(svc: Services, goal: str) -> None:
    """specs/functional.md §2"""
    import pytest

    from chimera.runs.threads import RunInProgress, campaign_lease

    campaign = default_campaign_id(ETHIOPIA, goal)
    async with campaign_lease(svc, campaign, wait=False):
        with pytest.raises(RunInProgress, match="another process"):
            await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert await platform_posts(svc, "tenant-xyz", campaign) == []
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert summary.published
