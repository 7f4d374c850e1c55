"""The sandbox platform publishes scheduled posts at their time, once; cancelled ones never."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chimera.resources import Services
from servers.runtime import Conflict
from servers.social import sandbox_outbox
from servers.social.backend import SandboxBackend
from servers.social.sandbox_outbox import SandboxOutbox
from tests.support.platform import scalar

XYZ = "tenant-xyz"
DUE = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)


def _post(publish_at: datetime) -> dict[str, Any]:
    return {
        "platform": "tiktok",
        "agent_id": "agent-ethiopia-fashion-001",
        "text": f"Scheduled drop {uuid.uuid4().hex[:6]} #AIcreator",
        "media_ids": [],
        "reply_to_id": None,
        "disclosure": {"ai_generated": True, "sponsor": None, "compliance_tags": []},
        "scheduling": {
            "mode": "scheduled",
            "publish_at": publish_at.isoformat().replace("+00:00", "Z"),
        },
        "tracking": {},
    }


async def _status(svc: Services, post_id: str) -> str:
    sql = "SELECT status FROM social_posts WHERE post_id = %s"
    return str(await scalar(svc, XYZ, sql, post_id))


async def _schedule(svc: Services, at: datetime) -> str:
    backend = SandboxBackend(svc.pool, redis=svc.redis)
    key = f"sched-{uuid.uuid4().hex}"
    result = await backend.publish(XYZ, key, "post_content", _post(at))
    assert result["status"] == "scheduled"
    return str(result["post_id"])


async def test_a_scheduled_sandbox_post_publishes_at_its_time_once_across_restarts(
    svc: Services,
) -> None:
    """specs/calendar.md §3.1"""
    post_id = await _schedule(svc, DUE)
    first = SandboxOutbox(svc.pool, svc.redis, poll_s=1)
    assert post_id not in await first.drain_once(DUE - timedelta(seconds=1))
    assert await _status(svc, post_id) == "scheduled"
    assert post_id in await first.drain_once(DUE)
    restarted = SandboxOutbox(svc.pool, svc.redis, poll_s=1)  # a new process, same stores
    assert post_id not in await restarted.drain_once(DUE + timedelta(hours=1))
    assert await _status(svc, post_id) == "published"


async def test_a_cancelled_sandbox_post_never_publishes(svc: Services) -> None:
    """specs/calendar.md §3.2"""
    post_id = await _schedule(svc, DUE)
    assert (await sandbox_outbox.cancel(svc.pool, XYZ, post_id))["status"] == "cancelled"
    with pytest.raises(Conflict, match="cancelled, not scheduled"):
        await sandbox_outbox.cancel(svc.pool, XYZ, post_id)
    assert post_id not in await SandboxOutbox(svc.pool, svc.redis, 1).drain_once(DUE)
    assert await _status(svc, post_id) == "cancelled"
