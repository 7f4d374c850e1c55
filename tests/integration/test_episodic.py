"""Episodic memory in Redis: bounded, expiring, tenant-prefixed, idempotent.

specs/technical.md §10.5
"""

from __future__ import annotations

import uuid

import pytest

from chimera.platform.episodic import EpisodicMemory, episodes_key
from chimera.resources import Services
from state.memory import Episode


def episode(n: int, text: str = "") -> Episode:
    return Episode(
        event_id=f"ep-{n}",
        kind="post",
        campaign_id="cmp-1",
        text=text or f"post {n}",
        at=f"2026-02-06T10:{n:02d}:00Z",
    )


def tenant() -> str:
    return f"tenant-ep-{uuid.uuid4().hex[:8]}"


async def test_only_the_newest_episodes_are_kept_newest_first(svc: Services) -> None:
    store, t = EpisodicMemory(svc.redis, max_items=3, ttl_s=600), tenant()
    await store.record(t, "agent-1", [episode(n) for n in range(5)])
    assert [e.event_id for e in await store.recent(t, "agent-1", 10)] == ["ep-4", "ep-3", "ep-2"]
    assert await store.count(t, "agent-1") == 3
    data = await svc.redis.hkeys(f"chimera:{t}:agent:agent-1:episode_data")
    assert sorted(data) == ["ep-2", "ep-3", "ep-4"]


async def test_writing_the_same_episode_again_changes_nothing(svc: Services) -> None:
    store, t = EpisodicMemory(svc.redis, max_items=10, ttl_s=600), tenant()
    assert await store.record(t, "agent-1", [episode(1, "first")]) == 1
    assert await store.record(t, "agent-1", [episode(1, "re-executed node")]) == 0
    [kept] = await store.recent(t, "agent-1")
    assert kept.text == "first"


async def test_keys_are_tenant_prefixed_and_expire(svc: Services) -> None:
    store, t = EpisodicMemory(svc.redis, max_items=10, ttl_s=120), tenant()
    await store.record(t, "agent-1", [episode(1)])
    key = episodes_key(t, "agent-1")
    assert key == f"chimera:{t}:agent:agent-1:episodes"
    assert 0 < await svc.redis.ttl(key) <= 120
    assert 0 < await svc.redis.ttl(f"chimera:{t}:agent:agent-1:episode_data") <= 120
    assert await store.recent(tenant(), "agent-1") == []


def test_a_key_without_tenant_or_agent_is_refused() -> None:
    with pytest.raises(ValueError, match="required"):
        episodes_key("", "agent-1")
    with pytest.raises(ValueError, match="required"):
        episodes_key("tenant-a", "")
