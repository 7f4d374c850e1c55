"""Assemble a run's memory context: recent episodes (Redis) and top-k semantic memories.

`load_context` calls this once per run; the result goes into graph state and travels with every
task to the worker and the judge, so both see exactly the same context (functional §8.3).
"""

from __future__ import annotations

from typing import Any

from chimera.mcp.host import CallIdentity, McpHost
from chimera.platform.episodic import EpisodicMemory
from state.context import Context
from state.memory import MemoryContext, MemoryHit


async def search_memories(
    host: McpHost, who: CallIdentity, query: str, k: int, **filters: Any
) -> list[MemoryHit]:
    """`search_memory` through the host, as typed hits (most similar first)."""
    if k < 1:
        return []
    args = {"tenant_id": who.tenant_id, "query": query[:2000], "k": k, **filters}
    result = await host.call_tool("memory", "search_memory", args, who=who)
    return [MemoryHit.model_validate(h) for h in result["hits"]]


async def recall(
    host: McpHost, episodic: EpisodicMemory, who: CallIdentity, query: str, ctx: Context
) -> MemoryContext:
    """The agent's recent episodes and its memories nearest to `query` (usually the goal)."""
    memories = await search_memories(host, who, query, ctx.memory_k, agent_id=who.agent_id)
    episodes = await episodic.recent(who.tenant_id, who.agent_id, ctx.recent_episodes)
    return MemoryContext(query=query[:2000], episodes=episodes, memories=memories)
