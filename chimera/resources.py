"""The application's long-lived resources, opened once per process and passed to the graph.

`open_services` bootstraps Postgres and Redis (embedded or external), applies migrations,
registers the personas found under `agents/`, opens the runtime pools and the MCP host. Nodes
receive these `Services` through the graph factory; nothing is a module-level singleton.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from langchain_core.language_models import BaseChatModel
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from chimera.control.personas import list_personas
from chimera.control.repo import sync_persona
from chimera.control.reviewers import seed_default_reviewer
from chimera.mcp.host import McpHost, open_host
from chimera.platform.bootstrap import bootstrap
from chimera.platform.db import Pool, open_pool, tenant_tx
from chimera.platform.embedded import Endpoints
from chimera.platform.embeddings import load_embeddings
from chimera.platform.settings import Settings
from chimera.strategies.intents import EmbeddingIntents, IntentClassifier
from chimera.strategies.novelty import Novelty
from chimera.strategies.registry import RoleModels, StrategyCache, check_models, options_of
from chimera.strategies.risk import RiskDetector

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What nodes and commands need: settings, pools, Redis, the MCP host, strategies."""

    settings: Settings
    endpoints: Endpoints
    pool: Pool
    checkpoint_pool: Pool
    redis: aioredis.Redis
    host: McpHost
    strategies: StrategyCache
    novelty: Novelty | None = None
    """Draft-vs-memory similarity for the judge (embeddings load on first use)."""
    risk: RiskDetector | None = None
    """Semantic topic and injection detection for the judge (same embeddings)."""
    intents: IntentClassifier | None = None
    """The offline mention classifier (rules + the same embeddings)."""


async def open_checkpoint_pool(conninfo: str) -> Pool:
    """A pool configured as `AsyncPostgresSaver` requires (autocommit, no prepared statements)."""
    pool: Pool = AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=10,
        connection_class=AsyncConnection[DictRow],
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=False,
    )
    await pool.open(wait=True, timeout=30)
    return pool


async def _sync_personas(pool: Pool, settings: Settings) -> None:
    personas, errors = await asyncio.to_thread(list_personas, settings.agents_dir)
    for error in errors:
        log.warning("persona skipped: %s", error)
    for persona in personas:
        ref = str(settings.agents_dir / persona.agent_id / "SOUL.md")
        async with tenant_tx(pool, persona.tenant_id) as conn:
            await sync_persona(conn, persona, ref)
            await seed_default_reviewer(conn, persona.tenant_id)


@asynccontextmanager
async def open_services(
    settings: Settings | None = None,
    *,
    chat_model: BaseChatModel | None = None,
    with_host: bool = True,
) -> AsyncIterator[Services]:
    """Open every resource for the life of the block and close them in reverse order."""
    if settings is None:
        settings = await asyncio.to_thread(Settings)  # reads .env: off the loop
    if chat_model is None:
        # A model that cannot work fails here, before any service is started (specs/llm.md §2).
        await asyncio.to_thread(check_models, settings)
    endpoints = await asyncio.to_thread(bootstrap, settings)
    pool = await open_pool(endpoints.pg_app)
    checkpoint_pool = await open_checkpoint_pool(endpoints.pg_app)
    redis_client: Any = aioredis.from_url(endpoints.redis, decode_responses=True)
    host: McpHost | None = None
    embeddings = load_embeddings(settings)
    risk = RiskDetector(embeddings, cache_dir=settings.home / "cache")
    try:
        await _sync_personas(pool, settings)
        host = await open_host(settings, endpoints) if with_host else McpHost({})
        embeddings = load_embeddings(settings)
        yield Services(
            settings=settings,
            endpoints=endpoints,
            pool=pool,
            checkpoint_pool=checkpoint_pool,
            redis=redis_client,
            host=host,
            strategies=StrategyCache(
                RoleModels.from_settings(settings), chat_model, options_of(settings), risk
            ),
            novelty=Novelty(embeddings),
            risk=risk,
            intents=EmbeddingIntents(embeddings),
        )
    finally:
        if host is not None:
            await host.aclose()
        await redis_client.aclose()
        await checkpoint_pool.close()
        await pool.close()
