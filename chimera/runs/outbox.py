"""The calendar's outbox: publishes due scheduled posts through `post_content`, exactly once.

`drain_once` takes the clock as a parameter (tests control time; no sleeping). Claims are
conditional updates (`chimera.control.outbox`), and every publish reuses the post's idempotency
key, so a post is published once across restarts and concurrent outboxes. `run_outbox` is the
long-running loop behind `chimera posts outbox`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from chimera.control import outbox, repo
from chimera.mcp.errors import InvalidToolArguments, McpCallError, ToolConflict
from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.resources import Services

log = logging.getLogger(__name__)
STALE = timedelta(minutes=5)
RETRY = timedelta(minutes=1)


async def _publish(svc: Services, tenant_id: str, row: dict[str, Any], now: datetime) -> bool:
    """Publish one claimed post and settle it; True when it is published."""
    who = CallIdentity(tenant_id, row["agent_id"], row["thread_id"] or "outbox")
    args = {**row["payload"], "idempotency_key": row["idempotency_key"]}
    try:
        result = await svc.host.call_tool("social", "post_content", args, who=who)
    except (InvalidToolArguments, ToolConflict) as exc:
        async with tenant_tx(svc.pool, tenant_id) as conn:
            await outbox.settle(conn, row["id"], None, str(exc))
        return False
    except McpCallError as exc:  # transient: back to the calendar, retried later
        log.warning("scheduled post %s not published yet: %s", row["id"], exc)
        async with tenant_tx(svc.pool, tenant_id) as conn:
            await outbox.release(conn, row["id"], now + RETRY)
        return False
    async with tenant_tx(svc.pool, tenant_id) as conn:
        await outbox.settle(conn, row["id"], result, None)
        detail = {"kind": "post_content", "key": row["idempotency_key"], "outbox": True, **result}
        ids = {k: row[k] for k in ("agent_id", "campaign_id", "task_id", "thread_id")}
        await repo.audit(conn, tenant_id, "side_effect", detail=detail, **ids)
    return True


async def drain_once(
    svc: Services, tenant_id: str, now: datetime | None = None, *, stale: timedelta = STALE
) -> list[str]:
    """Publish the tenant's posts due at `now`; return the calendar ids published.

    Args:
        svc: The app services (pool and MCP host).
        tenant_id: The tenant whose calendar is drained.
        now: The outbox clock (defaults to the current time).
        stale: Age after which another process's unfinished claim is taken over.

    Returns:
        The ids of the posts published in this pass.

    """
    now = now or datetime.now(UTC)
    async with tenant_tx(svc.pool, tenant_id) as conn:
        claimed = await outbox.claim_due(conn, now, stale=stale)
    return [row["id"] for row in claimed if await _publish(svc, tenant_id, row, now)]


async def run_outbox(svc: Services, tenant_id: str, poll_s: float) -> None:
    """Drain the tenant's calendar every `poll_s` seconds until cancelled."""
    while True:
        try:
            await drain_once(svc, tenant_id)
        except Exception:  # keep the loop alive; the next pass retries
            log.exception("outbox pass failed")
        await asyncio.sleep(poll_s)
