"""Presence through the real host and bridge: load from real pending work (specs/network.md)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

from chimera.control import network, repo
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs.presence import Presence
from state.records import TaskStatus
from tests.conftest import ETHIOPIA
from tests.support.builders import make_task
from tests.support.mcp import WHO_XYZ, XYZ


async def _pending(svc: Services) -> int:
    async with tenant_tx(svc.pool, XYZ) as conn:
        return await network.pending_work(conn, ETHIOPIA)


async def test_presence_publishes_real_pending_work_on_change_and_offline_at_stop(
    svc: Services,
) -> None:
    """specs/network.md §2.3"""
    # A capacity no earlier test's leftover work can fill: the load must move with this test's.
    svc = replace(svc, settings=svc.settings.model_copy(update={"openclaw_capacity": 2000}))
    presence = Presence(svc, ETHIOPIA)
    first = await presence.tick()
    assert first is not None and first["published"]
    assert await presence.tick() is None, "nothing changed and the period has not elapsed"
    tasks = [make_task(task_id=f"task-load-{uuid.uuid4().hex[:8]}") for _ in range(3)]
    async with tenant_tx(svc.pool, XYZ) as conn:
        await repo.ensure_campaign(conn, XYZ, ETHIOPIA, "cmp-1", "load")
        await repo.save_tasks(conn, f"thread-load-{uuid.uuid4().hex[:8]}", tasks)
    expected = min(1.0, await _pending(svc) / svc.settings.openclaw_capacity)
    changed = await presence.tick()
    assert changed is not None
    assert changed["availability"]["current_load"] == round(expected, 3)
    assert changed["availability"]["niche"] == ["fashion", "ethiopia", "africa-streetwear"]
    async with tenant_tx(svc.pool, XYZ) as conn:
        for task in tasks:
            await repo.set_task_status(conn, task.task_id, TaskStatus.DONE)
    stop = asyncio.Event()
    stop.set()
    await presence.run(stop)
    own = await svc.host.read_resource("openclaw", "agent://status/availability", who=WHO_XYZ)
    assert own["status"] == "offline" and own["agent_id"] == ETHIOPIA
