"""The sandbox platform's outbox: scheduled posts go out at their `publish_at`, exactly once.

Like the X outbox, tenants with waiting posts are found through tenant-prefixed Redis sorted sets
(`chimera:<tenant>:sandbox:outbox`, score = due time) because the posts sit behind each tenant's
row-level security. Publishing is one conditional update (`scheduled` -> `published` where due),
so two processes, or one restarted, never publish a post twice; a cancelled post no longer
matches and never publishes. The clock is a parameter of `drain_once` (tests control it).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from chimera.platform.db import Pool, tenant_tx
from servers.runtime import Conflict, NotFound

log = logging.getLogger(__name__)
PATTERN = "chimera:*:sandbox:outbox"


def index_key(tenant_id: str) -> str:
    """The Redis sorted set of a tenant's scheduled sandbox posts."""
    return f"chimera:{tenant_id}:sandbox:outbox"


async def mark(redis: Any, tenant_id: str, post_id: str, publish_at: str) -> None:
    """Index a scheduled post under its due time."""
    due = datetime.fromisoformat(publish_at.replace("Z", "+00:00")).timestamp()
    await redis.zadd(index_key(tenant_id), {post_id: due})


async def publish_due(pool: Pool, tenant_id: str, now: datetime) -> list[str]:
    """Publish the tenant's scheduled posts due at `now`; return their ids."""
    async with tenant_tx(pool, tenant_id) as conn:
        rows = await (
            await conn.execute(
                "UPDATE social_posts SET status = 'published', published_at = %s"
                " WHERE status = 'scheduled' AND publish_at <= %s RETURNING post_id",
                (now, now),
            )
        ).fetchall()
    return [r["post_id"] for r in rows]


async def cancel(pool: Pool, tenant_id: str, post_id: str) -> dict[str, Any]:
    """Cancel a scheduled post of the tenant.

    Raises:
        NotFound: no such post in this tenant.
        Conflict: the post is not scheduled (already published or cancelled).

    """
    async with tenant_tx(pool, tenant_id) as conn:
        row = await (
            await conn.execute(
                "UPDATE social_posts SET status = 'cancelled' WHERE post_id = %s"
                " AND status = 'scheduled' RETURNING post_id, status",
                (post_id,),
            )
        ).fetchone()
        if row is not None:
            return dict(row)
        found = await (
            await conn.execute("SELECT status FROM social_posts WHERE post_id = %s", (post_id,))
        ).fetchone()
    if found is None:
        raise NotFound(f"post {post_id!r} not found")
    raise Conflict(f"post {post_id!r} is {found['status']}, not scheduled")


class SandboxOutbox:
    """Publishes every tenant's due scheduled sandbox posts."""

    def __init__(self, pool: Pool, redis: Any, poll_s: float) -> None:
        """Publish through `pool`, find tenants in `redis`; check every `poll_s` seconds."""
        self.pool, self.redis, self.poll_s = pool, redis, poll_s

    async def drain_once(self, now: datetime | None = None) -> list[str]:
        """Publish what is due at `now` for every tenant; return the published post ids."""
        now = now or datetime.now(UTC)
        published: list[str] = []
        async for raw in self.redis.scan_iter(match=PATTERN):
            key = raw.decode() if isinstance(raw, bytes) else raw
            tenant_id = key.split(":", 2)[1]
            if not await self.redis.zrangebyscore(key, "-inf", now.timestamp()):
                continue
            try:
                published += await publish_due(self.pool, tenant_id, now)
            except Exception:  # one tenant's failure never holds back the others
                log.exception("sandbox outbox failed for tenant %s", tenant_id)
                continue
            # Unindex only after the update committed: a crash in between re-runs a no-op update.
            await self.redis.zremrangebyscore(key, "-inf", now.timestamp())
        return published

    async def run(self) -> None:
        """Loop until cancelled with the server."""
        while True:
            try:
                await self.drain_once()
            except Exception as exc:  # keep the loop alive; the next pass retries
                # One line, no traceback: a lost Redis or Postgres is retried, not a crash.
                log.warning("sandbox outbox pass failed (retrying): %s", exc)
            await asyncio.sleep(self.poll_s)
