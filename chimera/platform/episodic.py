"""Episodic (short-term) memory in Redis: the recent events of one agent, bounded and expiring.

Per (tenant, agent): a sorted set of event ids scored by time under
`chimera:<tenant_id>:agent:<agent_id>:episodes` and a hash of event id -> JSON beside it
(`...:episode_data`). Writing an event id again (a re-executed node) changes nothing (`ZADD NX`,
`HSETNX`); after each write the oldest ids beyond `max_items` are dropped from both and the TTL
of both keys is renewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from state.memory import Episode
from state.types import parse_utc


def episodes_key(tenant_id: str, agent_id: str) -> str:
    """The Redis key of an agent's episodes, in the tenant's `chimera:<tenant_id>:` namespace."""
    if not tenant_id or not agent_id:
        raise ValueError("tenant_id and agent_id are required for episodic memory")
    return f"chimera:{tenant_id}:agent:{agent_id}:episodes"


@dataclass(frozen=True)
class EpisodicMemory:
    """Recent events per agent in Redis.

    Attributes:
        redis: an asyncio Redis client (`decode_responses=True`).
        max_items: most recent episodes kept per agent.
        ttl_s: the whole list expires this long after its last write.

    """

    redis: Any
    max_items: int = 50
    ttl_s: int = 30 * 24 * 3600

    async def record(self, tenant_id: str, agent_id: str, episodes: list[Episode]) -> int:
        """Add episodes (idempotent per identical episode); returns how many were new."""
        if not episodes:
            return 0
        key = episodes_key(tenant_id, agent_id)
        data = f"{key[: -len(':episodes')]}:episode_data"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {e.event_id: parse_utc(e.at).timestamp() for e in episodes}, nx=True)
            for e in episodes:
                pipe.hsetnx(data, e.event_id, e.model_dump_json())
            pipe.zrange(key, 0, -self.max_items - 1)
            results = await pipe.execute()
        overflow = results[-1]
        async with self.redis.pipeline(transaction=True) as pipe:
            if overflow:
                pipe.zrem(key, *overflow)
                pipe.hdel(data, *overflow)
            pipe.expire(key, self.ttl_s)
            pipe.expire(data, self.ttl_s)
            await pipe.execute()
        return int(results[0])

    async def recent(self, tenant_id: str, agent_id: str, limit: int = 10) -> list[Episode]:
        """The newest `limit` episodes, newest first."""
        if limit < 1:
            return []
        key = episodes_key(tenant_id, agent_id)
        ids = await self.redis.zrevrange(key, 0, limit - 1)
        if not ids:
            return []
        raw = await self.redis.hmget(f"{key[: -len(':episodes')]}:episode_data", ids)
        return [Episode.model_validate_json(item) for item in raw if item is not None]

    async def count(self, tenant_id: str, agent_id: str) -> int:
        """How many episodes are kept for the agent."""
        return int(await self.redis.zcard(episodes_key(tenant_id, agent_id)))
