"""The memory MCP server: `search_memory`, `upsert_memory`, and an agent's recent episodes.

The tenant is the caller's verified identity (request `_meta`); a `tenant_id` argument that
differs from it is refused before anything is read or written. Semantic memory lives in the
configured backend (pgvector by default, Weaviate with `CHIMERA_MEMORY_BACKEND=weaviate`),
episodic memory in Redis.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import redis.asyncio as aioredis
from mcp.server.fastmcp import Context, FastMCP
from pydantic import Field, ValidationError

from chimera.platform.db import Pool, open_pool
from chimera.platform.embeddings import DimensionMismatch, load_embeddings
from chimera.platform.episodic import EpisodicMemory
from chimera.platform.settings import Settings
from servers.auth import check_agent
from servers.bootstrap import server_endpoints
from servers.memory.backend import MemoryBackend
from servers.memory.pgvector import PgvectorBackend
from servers.memory.service import MAX_K, MemoryService
from servers.runtime import InvalidArgument, ServerError, caller, serve
from state.memory import MemoryFilter, MemoryRecord, SourceType
from state.types import utc_now


class DimensionError(ServerError):
    """The embedding model does not fit the stored vectors."""

    code = "invalid_argument"


@dataclass
class MemoryDeps:
    """What the server holds for its life."""

    settings: Settings
    pool: Pool
    memory: MemoryService
    episodic: EpisodicMemory


def open_backend(settings: Settings, pool: Pool) -> MemoryBackend:
    """The configured backend."""
    if settings.memory_backend == "weaviate":
        from servers.memory.weaviate import WeaviateBackend

        return WeaviateBackend.from_settings(settings)
    return PgvectorBackend(pool)


@asynccontextmanager
async def lifespan(_: FastMCP[Any]) -> AsyncIterator[MemoryDeps]:
    """Pool, Redis, embeddings (loaded on first use) and the backend, for the server's life."""
    settings = Settings()
    endpoints = await server_endpoints(settings, "memory")
    pool = await open_pool(endpoints.pg_app, max_size=5)
    redis: Any = aioredis.from_url(endpoints.redis, decode_responses=True)
    backend = open_backend(settings, pool)
    try:
        yield MemoryDeps(
            settings=settings,
            pool=pool,
            memory=MemoryService(load_embeddings(settings), backend),
            episodic=EpisodicMemory(redis, settings.episodic_max, settings.episodic_ttl_s),
        )
    finally:
        await backend.aclose()
        await redis.aclose()
        await pool.close()


mcp = FastMCP(
    "memory",
    instructions="Semantic memory search and upsert, and an agent's recent episodes, per tenant.",
    lifespan=lifespan,
    log_level="WARNING",
)
AgentId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][\w.\-]*$")]


def _deps(ctx: Context[Any, Any, Any]) -> MemoryDeps:
    return ctx.request_context.lifespan_context


@mcp.tool(description="Semantic search over the tenant's memories. CONTRACTS §3.3.")
async def search_memory(
    tenant_id: str,
    query: Annotated[str, Field(min_length=1, max_length=2000)],
    ctx: Context,
    k: Annotated[int, Field(ge=1, le=MAX_K)] = 5,
    agent_id: AgentId | None = None,
    source_type: SourceType | None = None,
    since: str | None = None,
    until: str | None = None,
    hybrid: bool = False,
) -> dict[str, Any]:
    """The k nearest memories (cosine similarity, 1 = identical), filtered as asked."""
    caller(ctx, tenant_id)
    try:
        where = MemoryFilter(agent_id=agent_id, source_type=source_type, since=since, until=until)
        hits = await _deps(ctx).memory.search(tenant_id, query, k, where, hybrid=hybrid)
    except ValidationError as exc:
        raise InvalidArgument(str(exc)) from exc
    except DimensionMismatch as exc:
        raise DimensionError(str(exc)) from exc
    return {"hits": [h.model_dump() for h in hits]}


@mcp.tool(description="Insert or replace a memory; idempotent on memory_id. CONTRACTS §3.3.")
async def upsert_memory(
    tenant_id: str,
    memory_id: str,
    agent_id: str,
    source_type: SourceType,
    source_id: str,
    text: str,
    ctx: Context,
    timestamp: str | None = None,
) -> dict[str, Any]:
    """Embed and store the memory once per content."""
    caller(ctx, tenant_id)
    await check_agent(_deps(ctx).pool, tenant_id, agent_id)
    try:
        record = MemoryRecord(
            memory_id=memory_id,
            tenant_id=tenant_id,
            agent_id=agent_id,
            source_type=source_type,
            source_id=source_id,
            text=text,
            timestamp=timestamp or utc_now(),
        )
        return await _deps(ctx).memory.upsert(record)
    except ValidationError as exc:
        raise InvalidArgument(str(exc)) from exc
    except DimensionMismatch as exc:
        raise DimensionError(str(exc)) from exc


@mcp.resource(
    "memory://agent/{agent_id}/episodes",
    mime_type="application/json",
    description="The agent's recent episodes (tenant from the request _meta), newest first.",
)
async def recent_episodes(agent_id: str) -> str:
    """Recent episodic memory of one of the caller tenant's agents."""
    ctx = mcp.get_context()
    who = caller(ctx)
    deps = _deps(ctx)
    episodes = await deps.episodic.recent(who["tenant_id"], agent_id, deps.settings.episodic_max)
    return json.dumps({"agent_id": agent_id, "episodes": [e.model_dump() for e in episodes]})


@mcp.resource(
    "memory://stats", mime_type="application/json", description="Memory counts of the tenant."
)
async def memory_stats() -> str:
    """Counts by source type and the vector size, for the caller's tenant."""
    ctx = mcp.get_context()
    who = caller(ctx)
    stats = await _deps(ctx).memory.backend.stats(who["tenant_id"], who.get("agent_id") or None)
    return json.dumps(
        {"total": stats.total, "by_source_type": stats.by_source_type, "dimension": stats.dimension}
    )


def main() -> None:
    """Run standalone."""
    serve(mcp)
