"""Semantic memory in Postgres with pgvector: HNSW cosine index, rows under forced RLS.

Every statement runs in `tenant_tx` as the runtime role, so the tenant policy (not a WHERE clause
we could forget) hides other tenants' rows. Searches use the HNSW index with pgvector's
iterative scan, so filters (agent, source type, time, and the tenant policy) still yield k rows.
"""

from __future__ import annotations

from typing import Any, Literal

from chimera.platform.db import Pool, tenant_tx
from chimera.platform.embeddings import DimensionMismatch
from servers.memory.backend import MemoryStats, StoredMemory, UpsertStatus
from state.memory import MemoryFilter, MemoryHit
from state.types import parse_utc, to_utc_z

_COLUMNS = "memory_id, agent_id, source_type, source_id, text, ts"


def vector_literal(vector: list[float]) -> str:
    """A pgvector text literal."""
    return "[" + ",".join(f"{x:.7g}" for x in vector) + "]"


def where_sql(where: MemoryFilter) -> tuple[str, list[Any]]:
    """SQL conditions and parameters for a filter (the tenant is the RLS policy's job)."""
    parts: list[str] = ["TRUE"]
    params: list[Any] = []
    if where.agent_id:
        parts.append("agent_id = %s")
        params.append(where.agent_id)
    if where.source_type:
        parts.append("source_type = %s")
        params.append(where.source_type)
    if where.since:
        parts.append("ts >= %s")
        params.append(parse_utc(where.since))
    if where.until:
        parts.append("ts <= %s")
        params.append(parse_utc(where.until))
    return " AND ".join(parts), params


def hit(row: dict[str, Any]) -> MemoryHit:
    """A result row as a `MemoryHit`."""
    return MemoryHit(
        memory_id=row["memory_id"],
        agent_id=row["agent_id"],
        source_type=row["source_type"],
        source_id=row["source_id"],
        text=row["text"],
        timestamp=to_utc_z(row["ts"]),
        score=round(float(row["score"]), 6),
    )


async def _plan_settings(conn: Any, plan: str, k: int) -> None:
    if plan == "exact":
        await conn.execute("SET LOCAL enable_indexscan = off")
        return
    await conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
    await conn.execute(f"SET LOCAL hnsw.ef_search = {max(40, min(1000, 4 * k))}")
    if plan == "index":
        await conn.execute("SET LOCAL enable_bitmapscan = off")
        await conn.execute("SET LOCAL enable_seqscan = off")


class PgvectorBackend:
    """Memories in the `memory_items` table."""

    name = "pgvector"

    def __init__(self, pool: Pool, *, plan: Literal["auto", "index", "exact"] = "auto") -> None:
        """Search with the planner's choice (`auto`), forced HNSW (`index`) or no index (`exact`).

        Under RLS the planner may prefer the (tenant_id, ...) btree plus an exact sort for a small
        tenant; `index` and `exact` exist to measure both sides (bench/memory.py).
        """
        self._pool = pool
        self._plan = plan
        self._dim: int | None = None

    async def dimension(self) -> int:
        """The `vector(n)` size of the embedding column."""
        if self._dim is None:
            async with self._pool.connection() as conn:
                cur = await conn.execute(
                    "SELECT atttypmod AS dim FROM pg_attribute"
                    " WHERE attrelid = 'memory_items'::regclass AND attname = 'embedding'"
                )
                row = await cur.fetchone()
            assert row is not None, "memory_items.embedding is missing: migrations not applied"
            self._dim = int(row["dim"])
        return self._dim

    async def _check(self, vector: list[float]) -> None:
        if len(vector) != await self.dimension():
            raise DimensionMismatch(len(vector), await self.dimension(), "pgvector memory_items")

    async def content_hash(self, tenant_id: str, memory_id: str) -> str | None:
        """The stored hash of one of the tenant's memories."""
        async with tenant_tx(self._pool, tenant_id) as conn:
            cur = await conn.execute(
                "SELECT content_hash FROM memory_items WHERE memory_id = %s", (memory_id,)
            )
            row = await cur.fetchone()
        return None if row is None else str(row["content_hash"])

    async def upsert(self, item: StoredMemory) -> UpsertStatus:
        """Insert or update by (tenant, memory_id); an identical write changes nothing."""
        await self._check(item.vector)
        r = item.record
        async with tenant_tx(self._pool, r.tenant_id) as conn:
            cur = await conn.execute(
                "INSERT INTO memory_items (tenant_id, memory_id, agent_id, source_type, source_id,"
                " text, ts, embedding, model, content_hash)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s::vector, %s, %s)"
                " ON CONFLICT (tenant_id, memory_id) DO UPDATE SET agent_id = EXCLUDED.agent_id,"
                " source_type = EXCLUDED.source_type, source_id = EXCLUDED.source_id,"
                " text = EXCLUDED.text, ts = EXCLUDED.ts, embedding = EXCLUDED.embedding,"
                " model = EXCLUDED.model, content_hash = EXCLUDED.content_hash, updated_at = now()"
                " WHERE memory_items.content_hash <> EXCLUDED.content_hash"
                " RETURNING (xmax = 0) AS created",
                (
                    r.tenant_id,
                    r.memory_id,
                    r.agent_id,
                    r.source_type,
                    r.source_id,
                    r.text,
                    parse_utc(r.timestamp),
                    vector_literal(item.vector),
                    item.model,
                    item.content_hash,
                ),
            )
            row = await cur.fetchone()
        if row is None:
            return "unchanged"
        return "created" if row["created"] else "updated"

    async def search(
        self,
        tenant_id: str,
        vector: list[float],
        k: int,
        where: MemoryFilter,
        *,
        query_text: str | None = None,
    ) -> list[MemoryHit]:
        """Nearest memories by cosine distance (`<=>`), planned as the backend was built."""
        await self._check(vector)
        cond, params = where_sql(where)
        async with tenant_tx(self._pool, tenant_id) as conn:
            await _plan_settings(conn, self._plan, k)
            cur = await conn.execute(
                f"SELECT {_COLUMNS}, 1 - (embedding <=> %s::vector) AS score FROM memory_items"
                f" WHERE {cond} ORDER BY embedding <=> %s::vector LIMIT %s",
                [vector_literal(vector), *params, vector_literal(vector), k],
            )
            rows = await cur.fetchall()
        # relaxed_order may return near-ties slightly out of order; the caller sees them sorted.
        return sorted((hit(r) for r in rows), key=lambda h: -h.score)

    async def stats(self, tenant_id: str, agent_id: str | None = None) -> MemoryStats:
        """Counts by source type for the tenant (optionally one agent)."""
        cond, params = where_sql(MemoryFilter(agent_id=agent_id))
        async with tenant_tx(self._pool, tenant_id) as conn:
            cur = await conn.execute(
                f"SELECT source_type, count(*) AS n FROM memory_items WHERE {cond}"
                " GROUP BY source_type",
                params,
            )
            rows = await cur.fetchall()
        counts = {str(r["source_type"]): int(r["n"]) for r in rows}
        return MemoryStats(sum(counts.values()), counts, await self.dimension())

    async def aclose(self) -> None:
        """The pool belongs to the server; nothing to release here."""
