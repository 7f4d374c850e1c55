"""The swarm remembers: a second campaign sees the first one's posts and its repeats score lower.

specs/functional.md §8.2, §8.3, §8.5, specs/technical.md §10.6

The agent is a copy of a bundled persona under a fresh agent and tenant id, so no other test's
memories (the session shares one database) can reach its context.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chimera.platform.episodic import EpisodicMemory
from chimera.platform.settings import REPO_ROOT, Settings
from chimera.resources import Services, open_services
from chimera.runs.runner import run_campaign
from chimera.runs.threads import compile_graph
from state.memory import MemoryContext
from tests.conftest import ETHIOPIA
from tests.support.platform import scalar

GOAL = "Promote the new Ethiopian summer fashion line."


@pytest.fixture(scope="module")
async def fresh(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Services, str, str]]:
    """Services whose agents dir holds one never-seen agent (a copy of the Ethiopia persona)."""
    suffix = uuid.uuid4().hex[:8]
    agent, tenant = f"agent-memory-{suffix}", f"tenant-memory-{suffix}"
    soul = (REPO_ROOT / "agents" / ETHIOPIA / "SOUL.md").read_text()
    soul = soul.replace(ETHIOPIA, agent).replace("tenant_id: tenant-xyz", f"tenant_id: {tenant}")
    agents: Path = tmp_path_factory.mktemp("agents")
    (agents / agent).mkdir()
    (agents / agent / "SOUL.md").write_text(soul)
    own = settings.model_copy(update={"agents_dir": agents})
    async with open_services(own) as svc:
        yield svc, tenant, agent


async def values(svc: Services, thread_id: str) -> dict[str, Any]:
    snapshot = await compile_graph(svc).aget_state({"configurable": {"thread_id": thread_id}})
    return dict(snapshot.values)


def post_verdicts(summary: Any) -> list[dict[str, Any]]:
    return [t for t in summary.tasks if t["task_type"] == "publish_post" and t["confidence"]]


async def test_a_second_campaign_sees_the_first_ones_posts_and_repeats_score_lower(
    fresh: tuple[Services, str, str],
) -> None:
    svc, tenant, agent = fresh
    first = await run_campaign(svc, agent_id=agent, goal=GOAL, campaign_id=f"cmp-a-{tenant}")
    first_state = await values(svc, first.thread_id)
    assert first_state["memory"] == MemoryContext(query=GOAL)
    posted = {p["text"] for p in first.published}
    assert posted

    second = await run_campaign(svc, agent_id=agent, goal=GOAL, campaign_id=f"cmp-b-{tenant}")
    memory: MemoryContext = (await values(svc, second.thread_id))["memory"]
    remembered = {e.text for e in memory.episodes if e.kind == "post"}
    assert posted <= remembered
    assert posted & {m.text for m in memory.memories}
    assert any(e.kind == "outcome" and first.campaign_id in e.text for e in memory.episodes)

    fresh_scores = [float(t["confidence"]) for t in post_verdicts(first)]
    repeat_scores = [float(t["confidence"]) for t in post_verdicts(second)]
    assert fresh_scores and repeat_scores
    assert max(repeat_scores) < min(fresh_scores)
    assert all(any("Near-duplicate" in r for r in t["reasons"]) for t in post_verdicts(second))
    assert not any("Near-duplicate" in r for t in post_verdicts(first) for r in t["reasons"])


async def test_report_writes_posts_and_outcome_to_both_memories_once(
    fresh: tuple[Services, str, str],
) -> None:
    svc, tenant, agent = fresh
    campaign = f"cmp-c-{tenant}"
    summary = await run_campaign(svc, agent_id=agent, goal=GOAL + " Again.", campaign_id=campaign)
    count_sql = "SELECT count(*) FROM memory_items WHERE source_type = %s AND text LIKE %s"
    outcomes = await scalar(svc, tenant, count_sql, "conversation", f"%{campaign}%")
    assert outcomes == 1
    texts = [p["text"] for p in summary.published]
    for text in texts:
        assert await scalar(svc, tenant, count_sql, "post", text) == 1
    episodes = await EpisodicMemory(svc.redis).recent(tenant, agent, 50)
    assert sorted(e.text for e in episodes if e.campaign_id == campaign and e.kind == "post") == (
        sorted(texts)
    )
    before = await scalar(svc, tenant, "SELECT count(*) FROM memory_items")
    again = await run_campaign(svc, agent_id=agent, goal=GOAL + " Again.", campaign_id=campaign)
    assert again.state == "done"
    assert await scalar(svc, tenant, "SELECT count(*) FROM memory_items") == before + 1
