"""The content calendar on the real control plane and social server, the clock in test hands."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chimera.control import agent_state, audit, calendar, intents, occ, outbox, repo
from chimera.control.policy import PolicyOverrides
from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs.outbox import drain_once
from chimera.runs.perception import run_starter
from chimera.runs.runner import run_campaign
from nodes.commit import post_payload
from nodes.commit_calendar import defer_to_slot
from state.context import Context
from state.posting import PostingPlan
from state.records import Envelope, RunRef
from state.trends import Trend
from tests.conftest import ETHIOPIA
from tests.support.builders import make_artifact, make_task, persona
from tests.support.platform import scalar

XYZ = "tenant-xyz"
T0 = datetime.now(UTC).replace(microsecond=0)
STRICT = PostingPlan.model_validate(
    {
        "platforms": {
            "tiktok": {"windows": ["00:00-24:00"], "max_per_day": 2, "min_spacing_minutes": 120}
        }
    }
)


async def _agent(svc: Services) -> str:
    """A fresh agent of tenant-xyz with a strict plan, so no other test shares its calendar.

    Its campaign (`cmp-<agent>`) exists too: the outbox checks a post against its policy.
    """
    agent_id = f"agent-cal-{uuid.uuid4().hex[:8]}"
    soul = persona(ETHIOPIA).model_copy(update={"agent_id": agent_id, "posting": STRICT})
    async with tenant_tx(svc.pool, XYZ) as conn:
        await repo.sync_persona(conn, soul, "test")
        await repo.ensure_campaign(conn, XYZ, agent_id, f"cmp-{agent_id}", "Calendar test")
    return agent_id


async def _published_at(svc: Services, now: datetime) -> list[str]:
    """The calendar ids one outbox pass at `now` publishes."""
    return (await drain_once(svc, XYZ, now)).published


def _env(agent_id: str, n: int, text: str = "") -> Envelope:
    soul = persona(ETHIOPIA).model_copy(update={"agent_id": agent_id, "posting": STRICT})
    task = make_task(task_id=f"task-{agent_id}-{n}", params={"platform": "tiktok"})
    task = task.model_copy(update={"agent_id": agent_id})
    run = RunRef(
        tenant_id=XYZ,
        agent_id=agent_id,
        campaign_id=f"cmp-{agent_id}",
        thread_id="th-cal",
        state_version=1,
    )
    art = make_artifact(text or f"Post {n} of {agent_id} #AIcreator").model_copy(
        update={"agent_id": agent_id, "task_id": task.task_id}
    )
    return Envelope(run=run, task=task, persona=soul, artifact=art)


async def _defer(svc: Services, env: Envelope, now: datetime) -> Any:
    key = intents.idempotency_key(XYZ, env.run.campaign_id, env.task.task_id, "post_content")
    return await defer_to_slot(svc, env, post_payload(env), key, now=now), key


async def _on_platform(svc: Services, env: Envelope) -> int:
    sql = "SELECT count(*) FROM social_posts WHERE tracking->>'task_id' = %s"
    return int(await scalar(svc, XYZ, sql, env.task.task_id))


async def _published_earlier(svc: Services, agent_id: str, at: datetime) -> None:
    async with tenant_tx(svc.pool, XYZ) as conn:
        env = _env(agent_id, 0)
        result = {"post_id": f"post-{agent_id}", "status": "published", "published_at": at}
        await repo.record_post(conn, env.run, env.task.task_id, "tiktok", "earlier", result)


async def test_an_over_cadence_post_is_deferred_and_published_once_at_its_slot(
    svc: Services,
) -> None:
    """specs/calendar.md §2.1, specs/calendar.md §3.1"""
    agent_id = await _agent(svc)
    await _published_earlier(svc, agent_id, T0 - timedelta(minutes=10))
    env = _env(agent_id, 1)
    deferred, _ = await _defer(svc, env, T0)
    assert deferred is not None and deferred.publish_at is not None
    assert deferred.publish_at.startswith((T0 + timedelta(minutes=110)).isoformat()[:16])
    again, _ = await _defer(svc, env, T0)
    assert again is not None and again.external_id == deferred.external_id
    assert deferred.external_id not in await _published_at(svc, T0 + timedelta(minutes=60))
    assert await _on_platform(svc, env) == 0
    due = T0 + timedelta(minutes=111)
    assert deferred.external_id in await _published_at(svc, due)
    assert deferred.external_id not in await _published_at(svc, due + timedelta(hours=1))
    assert await _on_platform(svc, env) == 1
    async with tenant_tx(svc.pool, XYZ) as conn:
        rows = await calendar.list_posts(conn, agent_id=agent_id, status="published")
    assert deferred.external_id in [r["post_id"] for r in rows]


async def test_the_daily_cap_defers_to_the_next_day_instead_of_dropping(svc: Services) -> None:
    """specs/calendar.md §2.1"""
    agent_id = await _agent(svc)
    await _published_earlier(svc, agent_id, T0 - timedelta(hours=5))
    first, _ = await _defer(svc, _env(agent_id, 1), T0)
    assert first is None  # a free slot now: published at once by commit
    async with tenant_tx(svc.pool, XYZ) as conn:
        env = _env(agent_id, 1)
        result = {"post_id": f"post-{agent_id}-1", "status": "published", "published_at": T0}
        await repo.record_post(conn, env.run, env.task.task_id, "tiktok", "now", result)
    capped, _ = await _defer(svc, _env(agent_id, 2), T0)
    assert capped is not None and capped.publish_at is not None
    assert capped.publish_at > (T0 + timedelta(hours=2)).isoformat()


async def test_a_post_published_by_a_process_that_died_is_not_published_again(
    svc: Services,
) -> None:
    """specs/calendar.md §3.1"""
    agent_id = await _agent(svc)
    await _published_earlier(svc, agent_id, T0)
    env = _env(agent_id, 1)
    deferred, key = await _defer(svc, env, T0)
    due = T0 + timedelta(hours=3)
    async with tenant_tx(svc.pool, XYZ) as conn:  # the dead process claimed it and sent it
        claimed = await outbox.claim_due(conn, due, stale=timedelta(minutes=5))
    mine = next(r for r in claimed if r["id"] == deferred.external_id)
    who = CallIdentity(XYZ, agent_id, "dead")
    args = {**mine["payload"], "idempotency_key": key}
    await svc.host.call_tool("social", "post_content", args, who=who)
    assert deferred.external_id not in await _published_at(svc, due + timedelta(minutes=1))
    assert deferred.external_id in await _published_at(svc, due + timedelta(minutes=6))
    assert await _on_platform(svc, env) == 1


async def test_a_deferred_post_whose_topic_was_forbidden_since_is_refused_by_the_outbox(
    svc: Services,
) -> None:
    """specs/governance.md §1.4 (deferred posts), specs/calendar.md §3.1"""
    agent_id = await _agent(svc)
    await _published_earlier(svc, agent_id, T0)
    env = _env(agent_id, 1, "Smart savings: invest in pieces that last #AIcreator")
    deferred, _ = await _defer(svc, env, T0)
    assert deferred is not None
    async with tenant_tx(svc.pool, XYZ) as conn:  # what `chimera campaign update --forbid` does
        await occ.update_campaign(
            conn,
            env.run.campaign_id,
            goal=None,
            overrides=PolicyOverrides(forbidden_topics=["finance"]),
            expected_version=None,
            user_id=None,
        )
    due = T0 + timedelta(hours=3)
    drained = await drain_once(svc, XYZ, due)
    assert (
        drained.published == []
        and "forbidden topics: finance" in drained.refused[deferred.external_id]
    )
    assert await _on_platform(svc, env) == 0
    assert deferred.external_id not in await _published_at(svc, due + timedelta(hours=1))
    async with tenant_tx(svc.pool, XYZ) as conn:
        [row] = await calendar.list_posts(conn, agent_id=agent_id, status="refused")
        logged = await audit.campaign_events(conn, env.run.campaign_id)
    assert row["post_id"] == deferred.external_id and "forbidden topics: finance" in row["error"]
    [refused] = [e["detail"] for e in logged if e["event"] == "publish_refused"]
    assert refused["outbox"] and refused["post_id"] == deferred.external_id
    assert any("forbidden topics: finance" in r for r in refused["reasons"])


async def test_a_cancelled_post_never_publishes(svc: Services) -> None:
    """specs/calendar.md §3.2, specs/calendar.md §5.3"""
    agent_id = await _agent(svc)
    await _published_earlier(svc, agent_id, T0)
    env = _env(agent_id, 1)
    deferred, _ = await _defer(svc, env, T0)
    async with tenant_tx(svc.pool, XYZ) as conn:
        row = await calendar.cancel(conn, XYZ, deferred.external_id, "op-1")
        assert row["status"] == "cancelled"
        with pytest.raises(calendar.CalendarError, match="cancelled, not scheduled"):
            await calendar.reschedule(conn, XYZ, deferred.external_id, T0, "op-1")
    assert deferred.external_id not in await _published_at(svc, T0 + timedelta(days=3))
    assert await _on_platform(svc, env) == 0
    async with tenant_tx(svc.pool, "tenant-abc") as conn:
        with pytest.raises(calendar.PostNotFound):
            await calendar.cancel(conn, "tenant-abc", deferred.external_id, "op-2")
    events = await scalar(
        svc,
        XYZ,
        "SELECT count(*) FROM audit_log WHERE event = 'post_cancelled' AND detail->>'post_id' = %s",
        deferred.external_id,
    )
    assert events == 1


async def test_a_paused_agent_publishes_nothing_until_resumed(svc: Services) -> None:
    """specs/calendar.md §5.2"""
    agent_id = await _agent(svc)
    env = _env(agent_id, 1)
    async with tenant_tx(svc.pool, XYZ) as conn:
        await agent_state.set_paused(conn, XYZ, agent_id, True, "op-1")
    deferred, _ = await _defer(svc, env, T0)
    assert deferred is not None  # a free slot, but the agent is paused
    assert deferred.external_id not in await _published_at(svc, T0 + timedelta(days=1))
    assert await _on_platform(svc, env) == 0
    async with tenant_tx(svc.pool, XYZ) as conn:
        await agent_state.set_paused(conn, XYZ, agent_id, False, "op-1")
    assert deferred.external_id in await _published_at(svc, T0 + timedelta(days=1))
    assert await _on_platform(svc, env) == 1


async def test_a_paused_agent_starts_no_run(svc: Services, goal: str) -> None:
    """specs/calendar.md §5.2"""
    async with tenant_tx(svc.pool, XYZ) as conn:
        await agent_state.set_paused(conn, XYZ, ETHIOPIA, True, "op-1")
    try:
        with pytest.raises(agent_state.AgentPaused, match="paused"):
            await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    finally:
        async with tenant_tx(svc.pool, XYZ) as conn:
            await agent_state.set_paused(conn, XYZ, ETHIOPIA, False, "op-1")


async def test_a_goal_naming_tiktok_publishes_only_on_tiktok(svc: Services) -> None:
    """specs/calendar.md §4"""
    goal = f"Promote the new Ethiopian summer fashion line on TikTok ({uuid.uuid4().hex[:6]})."
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert summary.published
    assert {p["platform"] for p in summary.published} == {"tiktok"}


async def test_two_outboxes_draining_at_once_publish_a_post_once(svc: Services) -> None:
    """specs/calendar.md §3.1"""
    agent_id = await _agent(svc)
    await _published_earlier(svc, agent_id, T0)
    env = _env(agent_id, 1)
    deferred, _ = await _defer(svc, env, T0)
    due = T0 + timedelta(hours=2, minutes=1)
    first, second = await asyncio.gather(drain_once(svc, XYZ, due), drain_once(svc, XYZ, due))
    assert (first.published + second.published).count(deferred.external_id) == 1
    assert await _on_platform(svc, env) == 1


async def test_a_rescheduled_post_publishes_at_its_new_time(svc: Services) -> None:
    """specs/calendar.md §5.1, specs/calendar.md §5.3"""
    agent_id = await _agent(svc)
    await _published_earlier(svc, agent_id, T0)
    env = _env(agent_id, 1)
    deferred, _ = await _defer(svc, env, T0)
    later = T0 + timedelta(days=2)
    async with tenant_tx(svc.pool, XYZ) as conn:
        row = await calendar.reschedule(conn, XYZ, deferred.external_id, later, "op-1")
    assert row["publish_at"] == later
    assert deferred.external_id not in await _published_at(svc, T0 + timedelta(hours=3))
    assert deferred.external_id in await _published_at(svc, later)
    assert await _on_platform(svc, env) == 1


async def test_perception_starts_no_run_for_a_paused_agent(svc: Services, goal: str) -> None:
    """specs/calendar.md §5.2"""
    soul = persona(ETHIOPIA)
    async with tenant_tx(svc.pool, XYZ) as conn:
        await agent_state.set_paused(conn, XYZ, ETHIOPIA, True, "op-1")
    try:
        trend = Trend(trend_id="trend-paused", topic="addis-street-style", score=0.95)
        state = await run_starter(svc, Context())(soul, trend, f"cmp-paused-{uuid.uuid4().hex[:6]}")
    finally:
        async with tenant_tx(svc.pool, XYZ) as conn:
            await agent_state.set_paused(conn, XYZ, ETHIOPIA, False, "op-1")
    assert state == "refused"
