"""The memory MCP server over real stdio through the host (specs/functional.md §8.1, §8.4).

The labelled set in bench/data is seeded through `upsert_memory` and searched with the real
default model; tenancy is attacked with forged `tenant_id` arguments (specs/technical.md §10.1).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from chimera.mcp.errors import InvalidToolArguments
from chimera.mcp.host import CallIdentity
from chimera.platform.episodic import EpisodicMemory
from chimera.platform.settings import REPO_ROOT
from chimera.resources import Services
from state.memory import Episode

LABELLED = json.loads((REPO_ROOT / "bench" / "data" / "memory_labelled.json").read_text())


def identity() -> CallIdentity:
    return CallIdentity(f"tenant-mem-{uuid.uuid4().hex[:10]}", "agent-mem-1", "run-mem-tests")


async def upsert(svc: Services, who: CallIdentity, memory_id: str, text: str, **over: Any) -> Any:
    args = {
        "tenant_id": who.tenant_id,
        "memory_id": memory_id,
        "agent_id": who.agent_id,
        "source_type": "post",
        "source_id": f"src-{memory_id}",
        "text": text,
        **over,
    }
    return await svc.host.call_tool("memory", "upsert_memory", args, who=who)


async def search(svc: Services, who: CallIdentity, query: str, **over: Any) -> list[dict[str, Any]]:
    args = {"tenant_id": who.tenant_id, "query": query, "k": 5, **over}
    result = await svc.host.call_tool("memory", "search_memory", args, who=who)
    return list(result["hits"])


async def test_relevant_memories_rank_first_on_the_labelled_set(svc: Services) -> None:
    who = identity()
    for doc in LABELLED["docs"]:
        await upsert(svc, who, doc["id"], doc["text"], source_type=doc["source_type"])
    recalls = []
    for item in LABELLED["queries"]:
        hits = await search(svc, who, item["q"])
        ids, relevant = [h["memory_id"] for h in hits], set(item["relevant"])
        assert ids[0] in relevant, f"{item['q']!r}: top hit {ids[0]} not in {relevant}"
        recalls.append(len(relevant & set(ids)) / min(5, len(relevant)))
        assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert sum(recalls) / len(recalls) >= 0.85


async def test_upsert_is_idempotent_on_memory_id(svc: Services) -> None:
    who = identity()
    first = await upsert(svc, who, "m1", "Gold netela at Meskel")
    again = await upsert(svc, who, "m1", "Gold netela at Meskel")
    changed = await upsert(svc, who, "m1", "Gold netela at Timket")
    assert [first["status"], again["status"], changed["status"]] == [
        "created",
        "unchanged",
        "updated",
    ]
    assert [h["text"] for h in await search(svc, who, "netela")] == ["Gold netela at Timket"]


async def test_a_forged_tenant_id_can_neither_read_nor_write(svc: Services) -> None:
    victim, attacker = identity(), identity()
    await upsert(svc, victim, "secret", "Victim's unreleased collection plan")
    with pytest.raises(InvalidToolArguments, match="tenant"):
        await search(svc, attacker, "unreleased collection", tenant_id=victim.tenant_id)
    with pytest.raises(InvalidToolArguments, match="tenant"):
        await upsert(svc, attacker, "secret", "defaced", tenant_id=victim.tenant_id)
    assert await search(svc, attacker, "unreleased collection plan") == []
    [hit] = await search(svc, victim, "unreleased collection plan")
    assert hit["text"] == "Victim's unreleased collection plan"


@pytest.mark.parametrize(
    "over",
    [
        {"k": 0},
        {"k": 51},
        {"source_type": "tweet"},
        {"since": "yesterday"},
        {"agent_id": "bad agent id"},
    ],
)
async def test_invalid_search_arguments_are_refused(svc: Services, over: dict[str, Any]) -> None:
    with pytest.raises(InvalidToolArguments):
        await search(svc, identity(), "anything", **over)


async def test_invalid_memories_are_refused(svc: Services) -> None:
    who = identity()
    with pytest.raises(InvalidToolArguments):
        await upsert(svc, who, "m1", "")
    with pytest.raises(InvalidToolArguments):
        await upsert(svc, who, "m1", "ok", timestamp="2026-02-06 10:00")
    with pytest.raises(InvalidToolArguments):
        await upsert(svc, who, "not an id!", "ok")


async def test_recent_episodes_and_stats_are_resources_scoped_to_the_caller(
    svc: Services,
) -> None:
    who, other = identity(), identity()
    episodic = EpisodicMemory(svc.redis)
    episode = Episode(
        event_id="ep-1", kind="post", campaign_id="cmp-1", text="Posted", at="2026-02-06T10:00:00Z"
    )
    await episodic.record(who.tenant_id, who.agent_id, [episode])
    await upsert(svc, who, "m1", "A post", source_type="post")
    await upsert(svc, who, "m2", "A trend", source_type="trend_alert")
    uri = f"memory://agent/{who.agent_id}/episodes"
    mine = await svc.host.read_resource("memory", uri, who=who)
    theirs = await svc.host.read_resource("memory", uri, who=other)
    assert [e["event_id"] for e in mine["episodes"]] == ["ep-1"]
    assert theirs["episodes"] == []
    stats = await svc.host.read_resource("memory", "memory://stats", who=who)
    assert stats == {"total": 2, "by_source_type": {"post": 1, "trend_alert": 1}, "dimension": 384}
