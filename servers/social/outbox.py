"""Publishing deferred posts when their window resets: one background task per server process.

Tenants with waiting posts are found through tenant-prefixed Redis sorted sets
(`chimera:<tenant>:x:outbox`, score = due time); Postgres (`social_x_outbox`, under the tenant's
row-level security) holds the posts. The task sleeps until the earliest due time (at most
`CHIMERA_X_OUTBOX_POLL_S`) or until a new deferral wakes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from servers.runtime import ServerError, Transient
from servers.social import xstore
from servers.social.xbackend import XBackend

log = logging.getLogger(__name__)
PATTERN = "chimera:*:x:outbox"
RETRY_FIRST = timedelta(seconds=2)
RETRY_MAX = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta:
    """Back-off after a transient failure: 2 s, doubling per attempt, at most 5 minutes."""
    return min(RETRY_MAX, RETRY_FIRST * 2 ** min(attempts, 16))


_ZREM_IF_SAME = """
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
"""


class Outbox:
    """Drains every tenant's due deferred posts through the X backend."""

    def __init__(self, backend: XBackend, poll_s: float) -> None:
        """Publish through `backend`; check at least every `poll_s` seconds."""
        self.backend = backend
        self.poll_s = poll_s
        self.wake = backend.deferred

    async def run(self) -> None:
        """Loop forever (cancelled with the server)."""
        while True:
            self.wake.clear()
            try:
                delay = await self.drain_once()
            except Exception:  # keep the loop alive; the next pass retries
                log.exception("outbox pass failed")
                delay = self.poll_s
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=max(0.05, delay))

    async def drain_once(self) -> float:
        """Publish what is due for every tenant; seconds until the next due post."""
        redis, now = self.backend.redis, time.time()
        soonest = now + self.poll_s
        async for raw in redis.scan_iter(match=PATTERN):
            key = raw.decode() if isinstance(raw, bytes) else raw
            tenant_id = key.split(":", 2)[1]
            ready = await redis.zrangebyscore(key, "-inf", now, withscores=True)
            # Unmark before publishing: a post deferred again while publishing is marked anew
            # (even at the same due time), so it is never lost from the index.
            for member, score in ready:
                await redis.eval(_ZREM_IF_SAME, 1, key, member, repr(score))
            if ready:
                try:
                    await self._publish_due(tenant_id)
                except Exception:  # one tenant's failure never holds back the others
                    log.exception("outbox pass failed for tenant %s", tenant_id)
                    await redis.zadd(key, {member: now + self.poll_s for member, _ in ready})
            head = await redis.zrange(key, 0, 0, withscores=True)
            if head:
                soonest = min(soonest, float(head[0][1]))
        return soonest - time.time()

    async def _publish_due(self, tenant_id: str) -> None:
        pool = self.backend.pool
        for row in await xstore.due(pool, tenant_id, datetime.now(UTC)):
            await self._publish(tenant_id, row)

    async def _publish(self, tenant_id: str, row: dict[str, Any]) -> None:
        key, post = row["idempotency_key"], row["post"]
        async with xstore.key_lock(self.backend.pool, tenant_id, key):
            try:
                result = await self.backend.send(
                    tenant_id, key, post, recovering=row["attempts"] > 0
                )
            except Transient as exc:
                due = datetime.now(UTC) + retry_delay(row["attempts"])
                await xstore.defer(self.backend.pool, tenant_id, key, post, row["post_id"], due)
                await self.backend.schedule(tenant_id, key, due)
                log.warning("deferred post %s retried later: %s", key, exc)
                return
            except ServerError as exc:
                await xstore.finish(self.backend.pool, tenant_id, key, str(exc))
                return
        if result["status"] == "published":
            await xstore.finish(self.backend.pool, tenant_id, key, None)
