"""The perception loop: trends become alerts on a tenant stream, each decided once.

Proves specs/functional.md §7.4 and specs/technical.md §13.3: at-least-once delivery through a
consumer group, XAUTOCLAIM of stuck entries, duplicates dropped by alert id, the relevance
threshold (deterministic and LLM), and a real campaign run started for a relevant alert.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator

import pytest

from chimera.control.personas import load_persona
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs.perception import PerceiveReport, perceive_once
from chimera.runs.runner import run_campaign
from chimera.signals.alert_stream import AlertStream
from chimera.strategies.relevance import LlmRelevance, NicheRelevance
from skills.trend_detection_alerting.alerting import Decider, drain
from state.context import Context
from state.contracts import Trend
from state.persona import Persona
from tests.conftest import ETHIOPIA
from tests.support.chat_fakes import ScriptedChatModel
from tests.support.governance import expire_now
from tests.support.platform import platform_posts

NOW = "2026-02-06T10:00:00Z"
XYZ = "tenant-xyz"


class Recorder:
    """A StartRun that records the runs it was asked to start."""

    def __init__(self) -> None:
        self.started: list[str] = []

    async def __call__(self, persona: Persona, trend: Trend, campaign_id: str) -> str:
        self.started.append(campaign_id)
        return "done"


@pytest.fixture
async def fresh(svc: Services) -> AsyncIterator[None]:
    """No alerts or stream entries of the agent left from earlier tests."""
    async with tenant_tx(svc.pool, XYZ) as conn:
        await conn.execute("DELETE FROM trend_alerts WHERE agent_id = %s", (ETHIOPIA,))
    await svc.redis.delete(AlertStream(svc.redis, XYZ).key)
    yield


async def once(svc: Services, recorder: Recorder, **kw: object) -> PerceiveReport:
    return await perceive_once(svc, ETHIOPIA, now=NOW, start_run=recorder, **kw)  # type: ignore[arg-type]


async def test_relevant_alerts_start_one_run_each_and_a_second_pass_starts_none(
    svc: Services, fresh: None
) -> None:
    """specs/functional.md §7.4"""
    recorder = Recorder()
    first = await once(svc, recorder, ctx=Context(relevance_threshold=0.75))
    assert len(first.detected) >= 2
    assert sorted(recorder.started) == sorted(f"cmp-{a}" for a in first.detected)
    assert set(first.outcomes.values()) == {"started"}
    again = await once(svc, recorder, ctx=Context(relevance_threshold=0.75))
    assert again.published == 0 and again.outcomes == {}
    assert len(recorder.started) == len(first.detected)
    async with tenant_tx(svc.pool, XYZ) as conn:
        rows = await (
            await conn.execute(
                "SELECT status, campaign_id FROM trend_alerts WHERE agent_id = %s", (ETHIOPIA,)
            )
        ).fetchall()
    assert {r["status"] for r in rows} == {"started"}
    assert await AlertStream(svc.redis, XYZ).pending() == 0


async def test_alerts_under_the_threshold_are_ignored_and_start_nothing(
    svc: Services, fresh: None
) -> None:
    """specs/functional.md §7.4"""
    recorder = Recorder()
    report = await once(svc, recorder, ctx=Context(relevance_threshold=1.0))
    assert recorder.started == [] and set(report.outcomes.values()) == {"ignored"}


async def test_a_duplicate_delivery_of_an_alert_is_dropped(svc: Services, fresh: None) -> None:
    """specs/technical.md §13.3"""
    recorder = Recorder()
    strict = Context(relevance_threshold=1.0)
    report = await once(svc, recorder, ctx=strict)
    alert = report.detected[0]
    async with tenant_tx(svc.pool, XYZ) as conn:
        await conn.execute("UPDATE trend_alerts SET status = 'new' WHERE id = %s", (alert,))
    stream = AlertStream(svc.redis, XYZ)
    await stream.publish(alert, ETHIOPIA)
    await stream.publish(alert, ETHIOPIA)
    again = await once(svc, recorder, ctx=Context(relevance_threshold=0.5))
    assert recorder.started == [f"cmp-{alert}"]
    assert again.duplicates >= 2 and again.outcomes == {alert: "started"}


async def test_an_entry_left_pending_by_a_crashed_consumer_is_reclaimed(
    svc: Services, fresh: None
) -> None:
    """specs/technical.md §13.3"""
    recorder = Recorder()
    await once(svc, recorder, ctx=Context(relevance_threshold=1.0))
    async with tenant_tx(svc.pool, XYZ) as conn:
        cur = await conn.execute(
            "UPDATE trend_alerts SET status = 'new' WHERE agent_id = %s RETURNING id", (ETHIOPIA,)
        )
        ids = [r["id"] for r in await cur.fetchall()]
    crashed = AlertStream(svc.redis, XYZ, consumer="crashed")
    for alert in ids:
        await crashed.publish(alert, ETHIOPIA)
    assert len(await crashed.read()) == len(ids)
    assert await crashed.pending() == len(ids)
    # Nothing new is published while alerts are pending elsewhere: take them over instead.
    survivor = AlertStream(svc.redis, XYZ, consumer="survivor", min_idle_ms=0)
    persona = await svc_persona(svc)
    report = PerceiveReport()
    await drain(survivor, Decider(svc, persona, NicheRelevance(), 0.5, recorder), report)
    assert sorted(recorder.started) == sorted(f"cmp-{a}" for a in ids)
    assert await survivor.pending() == 0


async def svc_persona(svc: Services) -> Persona:
    return await asyncio.to_thread(load_persona, svc.settings.agents_dir, ETHIOPIA)


async def test_a_configured_llm_decides_relevance_and_nonsense_scores_zero(
    svc: Services, fresh: None
) -> None:
    """specs/functional.md §7.4"""

    def script(prompt: str) -> str:
        on_topic = re.search(r"Trend topic: [a-z-]*streetwear", prompt)
        return json.dumps({"relevance": 0.95}) if on_topic else "no idea"

    model = ScriptedChatModel(script=script)
    recorder = Recorder()
    report = await once(svc, recorder, relevance=LlmRelevance(model, "scripted"))
    started = [a for a, o in report.outcomes.items() if o == "started"]
    assert len(started) == 1 and len(recorder.started) == 1
    assert sum(1 for o in report.outcomes.values() if o == "ignored") >= 1
    assert all("untrusted data" in p for p in model.prompts)


def test_stream_keys_are_tenant_prefixed(svc: Services) -> None:
    """specs/technical.md §13.3"""
    assert AlertStream(svc.redis, XYZ).key.startswith("chimera:tenant-xyz:")
    assert AlertStream(svc.redis, "tenant-abc").key != AlertStream(svc.redis, XYZ).key


async def test_a_relevant_alert_starts_a_real_campaign_that_publishes(
    svc: Services, fresh: None
) -> None:
    """specs/functional.md §7.4"""
    report = await perceive_once(
        svc, ETHIOPIA, now=NOW, ctx=Context(relevance_threshold=0.89, render_media=False)
    )
    assert len(report.runs) == 1
    (campaign,) = report.runs.values()
    posts = await platform_posts(svc, XYZ, campaign)
    assert posts and all("#AIcreator" in p["text"] for p in posts)


async def test_each_pass_expires_the_tenants_due_reviews(
    svc: Services, fresh: None, goal: str
) -> None:
    """specs/technical.md §13.3 (a perceiving process is the tenant's clock), §12.3"""
    paused = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = paused.pending_reviews[0]["review_id"]
    await expire_now(svc, XYZ, review_id)
    report = await once(svc, Recorder(), ctx=Context(relevance_threshold=1.0))
    assert review_id in report.expired
    async with tenant_tx(svc.pool, XYZ) as conn:
        cur = await conn.execute("SELECT status FROM reviews WHERE review_id = %s", (review_id,))
        assert (await cur.fetchone())["status"] == "expired"  # type: ignore[index]
