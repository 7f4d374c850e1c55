"""Shared trend signals enter perception as one more source (specs/network.md §3.3)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs.perception import perceive_once
from chimera.signals.alert_stream import AlertStream
from state.context import Context
from state.contracts import Trend
from state.persona import Persona
from state.types import to_utc_z
from tests.conftest import ETHIOPIA
from tests.support.mcp import WHO_XYZ, XYZ
from tests.support.network import set_sharing

ONLINE = {"status": "online", "niche": ["fashion"], "current_load": 0.1}


class Recorder:
    """A StartRun that records the trends it was asked to start runs for."""

    def __init__(self) -> None:
        self.topics: list[str] = []

    async def __call__(self, persona: Persona, trend: Trend, campaign_id: str) -> str:
        self.topics.append(trend.topic)
        return "done"


async def _share(
    svc: Services, who: CallIdentity, topic: str, tags: list[str], region: str, n: int
) -> None:
    expires = to_utc_z(datetime.now(UTC) + timedelta(hours=6))
    for i in range(n):
        trend = {"id": f"{topic}-{i}", "topic": topic, "confidence": 0.9, "tags": tags,
                 "regions": [region], "summary": "raw words that must not travel"}  # fmt: skip
        args = {"from_agent_id": who.agent_id, "tenant_id": who.tenant_id, "trend": trend,
                "expires_at": expires, "intended_recipients": [ETHIOPIA]}  # fmt: skip
        sent = await svc.host.call_tool("openclaw", "share_trend_signal", args, who=who)
        assert sent["delivered"] == 1


async def test_a_shared_signal_reaches_another_agents_perception_and_is_relevance_filtered(
    svc: Services,
) -> None:
    """specs/network.md §3.3"""
    sender = CallIdentity(f"tenant-p-{uuid.uuid4().hex[:8]}", f"agent-p-{uuid.uuid4().hex[:8]}")
    for tenant in (XYZ, sender.tenant_id):
        await set_sharing(svc, tenant, "network")
    for who in (WHO_XYZ, sender):
        args = {"tenant_id": who.tenant_id, "agent_id": who.agent_id, "availability": ONLINE}
        await svc.host.call_tool("openclaw", "publish_availability", args, who=who)
    async with tenant_tx(svc.pool, XYZ) as conn:
        await conn.execute("DELETE FROM trend_alerts WHERE agent_id = %s", (ETHIOPIA,))
        await conn.execute("DELETE FROM openclaw_signals WHERE to_agent_id = %s", (ETHIOPIA,))
    await svc.redis.delete(AlertStream(svc.redis, XYZ).key)
    await _share(svc, sender, "ethiopian-summer-streetwear", ["fashion"], "ethiopia", 3)
    await _share(svc, sender, "quantum-gadget-benchmarks", ["semiconductors"], "korea", 3)
    recorder = Recorder()
    now = to_utc_z(datetime.now(UTC) + timedelta(seconds=2))
    report = await perceive_once(
        svc, ETHIOPIA, now=now, start_run=recorder, ctx=Context(relevance_threshold=0.6)
    )
    assert sorted(report.outcomes.values()) == ["ignored", "started"], report
    assert len(recorder.topics) == 1 and "streetwear" in recorder.topics[0]
    async with tenant_tx(svc.pool, XYZ) as conn:
        rows = await (
            await conn.execute(
                "SELECT topic, status FROM trend_alerts WHERE agent_id = %s", (ETHIOPIA,)
            )
        ).fetchall()
        await conn.execute("DELETE FROM openclaw_signals WHERE to_agent_id = %s", (ETHIOPIA,))
    ignored = [r["topic"] for r in rows if r["status"] == "ignored"]
    assert len(ignored) == 1 and "gadget" in ignored[0]
