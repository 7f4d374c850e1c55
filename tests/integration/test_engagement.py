"""Engagement snapshots on the sandbox platform and the planner's feedback loop.

Proves specs/functional.md §7.5 and specs/technical.md §13.6: deterministic snapshots per post
and age, stored once, tenant-private; the best-performing angles come first in the next plan.
"""

from __future__ import annotations

import pytest

from chimera.mcp.errors import ToolNotFound
from chimera.mcp.host import CallIdentity
from chimera.resources import Services
from chimera.runs.runner import run_campaign
from chimera.signals.engagement import best_angles, prefer
from chimera.strategies.base import PlanRequest
from chimera.strategies.planner import TemplatePlanner
from servers.social.engagement import simulate
from state.context import Context
from state.records import TrendSignal
from tests.conftest import ETHIOPIA
from tests.support.builders import persona
from tests.support.mcp import WHO_ABC, WHO_XYZ, new_key, post_payload


def test_snapshots_are_deterministic_and_grow_with_age() -> None:
    """specs/technical.md §13.6"""
    post = {"post_id": "post-1", "platform": "tiktok", "text": "Fit #a #b", "media_ids": ["img-1"]}
    assert simulate(post, 6) == simulate(dict(post), 6)
    views = [simulate(post, age)["views"] for age in (1, 6, 24)]
    assert views == sorted(views) and views[0] < views[-1]
    bare = {**post, "media_ids": []}
    assert simulate(post, 24)["views"] > simulate(bare, 24)["views"]
    assert simulate(post, 24)["engagement_rate"] > simulate(bare, 24)["engagement_rate"]


async def test_a_post_has_stored_snapshots_only_its_tenant_can_read(svc: Services) -> None:
    """specs/functional.md §7.5; specs/technical.md §13.6"""
    post = await svc.host.call_tool("social", "post_content", post_payload(new_key()), who=WHO_XYZ)
    uri = f"social://posts/{post['post_id']}/engagement"
    first = await svc.host.read_resource("social", uri, who=WHO_XYZ)
    again = await svc.host.read_resource("social", uri, who=WHO_XYZ)
    assert [s["age_hours"] for s in first["snapshots"]] == [1, 6, 24]
    assert first == again
    with pytest.raises(ToolNotFound):
        await svc.host.read_resource("social", uri, who=WHO_ABC)


async def test_best_angles_follow_the_engagement_of_the_agents_posts(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §7.5"""
    await run_campaign(svc, agent_id=ETHIOPIA, goal=goal, context=Context(render_media=False))
    who = CallIdentity("tenant-xyz", ETHIOPIA)
    best = await best_angles(svc.host, svc.pool, who, limit=10, threshold=0.0)
    assert best, "a finished campaign's posts have angles and engagement"
    rates = [rate for _, rate in best]
    assert rates == sorted(rates, reverse=True)
    report = await svc.host.read_resource(
        "social", f"social://agents/{ETHIOPIA}/engagement", who=who
    )
    assert max(p["engagement_rate"] for p in report["posts"]) >= rates[0]


async def test_the_planner_angles_its_first_post_on_the_best_performer() -> None:
    """specs/functional.md §7.5"""
    signals = prefer([TrendSignal(keyword="streetwear", count=4)], [("habesha kemis", 0.09)])
    assert [s.keyword for s in signals] == ["habesha kemis", "streetwear"]
    dag = await TemplatePlanner().plan(
        PlanRequest(
            goal="Promote the drop.",
            persona=persona(),
            trends=signals,
            mentions=[],
            context=Context(),
        )
    )
    assert dag.tasks[0].params["angle"] == "habesha kemis"
