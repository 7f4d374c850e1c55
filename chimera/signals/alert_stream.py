"""The perception event stream: trend alerts on a tenant-scoped Redis stream with a consumer group.

Delivery is at-least-once: an entry stays pending until acknowledged, and entries a crashed
consumer left pending longer than `min_idle_ms` are taken over with XAUTOCLAIM. Consumers drop
duplicates by alert id (see `chimera.runs.perception`), so a redelivery never acts twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from chimera.signals.feeds import cache_key

GROUP = "perception"
Entry = tuple[str, dict[str, str]]
"""A stream entry: its id and its fields."""


@dataclass
class AlertStream:
    """One tenant's alert stream, read as one consumer of the `perception` group."""

    redis: aioredis.Redis
    tenant_id: str
    consumer: str = "perceiver-1"
    min_idle_ms: int = 60_000
    """How long an entry may stay unacknowledged before another consumer takes it over."""

    @property
    def key(self) -> str:
        """The tenant-prefixed stream key."""
        return cache_key(self.tenant_id, "perception", "alerts")

    async def ensure_group(self) -> None:
        """Create the stream and its consumer group if missing."""
        try:
            await self.redis.xgroup_create(self.key, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def publish(self, alert_id: str, agent_id: str) -> str:
        """Append an alert event; returns the entry id."""
        fields: Any = {"alert_id": alert_id, "agent_id": agent_id, "tenant_id": self.tenant_id}
        return str(await self.redis.xadd(self.key, fields))

    async def reclaim(self, count: int = 100) -> list[Entry]:
        """Take over entries other consumers left pending longer than `min_idle_ms`."""
        reply: Any = await self.redis.xautoclaim(
            self.key, GROUP, self.consumer, self.min_idle_ms, start_id="0-0", count=count
        )
        return [(str(i), dict(f)) for i, f in reply[1] if f is not None]

    async def read(self, count: int = 100, block_ms: int | None = None) -> list[Entry]:
        """New entries for this consumer (waiting up to `block_ms` when given)."""
        reply: Any = await self.redis.xreadgroup(
            GROUP, self.consumer, {self.key: ">"}, count=count, block=block_ms
        )
        return [(str(i), dict(f)) for _, entries in reply or [] for i, f in entries]

    async def ack(self, entry_id: str) -> None:
        """Mark an entry handled."""
        await self.redis.xack(self.key, GROUP, entry_id)

    async def pending(self) -> int:
        """How many entries are delivered but not yet acknowledged."""
        info = await self.redis.xpending(self.key, GROUP)
        return int(info["pending"])
