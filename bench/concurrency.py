"""1000 concurrent agent runs, 5 tasks each, 50 ms fake I/O per task (ARCHITECTURE §9: p99 < 10 s).

Every run goes through a compiled campaign graph driven as the runner drives it
(`astream(..., stream_mode="updates", durability="sync")`), all started at once on one event
loop, sharing one compiled graph and one checkpointer, as one serving process would:

- **ours**: the W1 stub campaign graph (`bench.fanout_ours`: `CampaignState`, reducers, the real
  `dispatch`, `Envelope` packets, real records), its worker awaiting `asyncio.sleep(io_ms)`
  before drafting (the stub tool call: no MCP server, this measures engine and persistence);
- **bare**: the same shape in plain LangGraph (`bench.shape_bare`), same sleep.

Checkpointers: `postgres` is what production runs, `AsyncPostgresSaver` on the production
checkpoint pool (`open_checkpoint_pool`: bounded, 10 connections) on a fresh database per
side, a saver per run (`postgres`) or one shared (`postgres-shared`); `memory` is
`InMemorySaver`. Ours always uses the strict serde of `chimera.platform.checkpoint`.
Latency of a run is from its start (all start together) to its last update.
`python -m bench concurrency [--runs 1000] [--tasks 5] [--io-ms 50] [--savers postgres,memory]`.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from collections import Counter
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from bench.fanout_ours import build_ours, stub_work
from bench.fanout_shared import AGENT_ID, CAMPAIGN_ID, GOAL, TENANT_ID
from bench.pg_saver import embedded_postgres, fresh_database
from bench.shape_bare import build_shape_bare
from chimera.platform.checkpoint import saver, serializer
from chimera.platform.db import Pool
from chimera.resources import open_checkpoint_pool
from state.context import Context
from state.records import Envelope

TARGET_P99_S = 10.0
INPUTS = {"tenant_id": TENANT_ID, "agent_id": AGENT_ID, "campaign_id": CAMPAIGN_ID, "goal": GOAL}
Graph = CompiledStateGraph[Any, Any, Any, Any]


def ours_work(io_s: float) -> Any:
    """The stub worker after `io_s` seconds of fake async I/O (the tool call)."""

    async def work(env: Envelope) -> Command[Literal["judge", "dispatch"]]:
        await asyncio.sleep(io_s)
        return await stub_work(env)

    return work


def compile_side(side: str, io_s: float, checkpointer: BaseCheckpointSaver[Any]) -> Graph:
    """Ours or bare, its worker sleeping `io_s`, on `checkpointer`."""
    graph = build_ours(ours_work(io_s)) if side == "ours" else build_shape_bare(io_s)
    return graph.compile(checkpointer=checkpointer)


async def one_run(
    app: Graph, side: str, thread_id: str, tasks: int, pool: Pool | None = None
) -> float:
    """Drive one run to its report; return its latency in seconds.

    With `pool`, the run gets its own saver on it, as
    `chimera.runs.runner.compile_graph` does per run (`AsyncPostgresSaver` serialises its queries
    behind one lock per instance).
    """
    if pool is not None:
        ckpt = saver(pool) if side == "ours" else AsyncPostgresSaver(pool)
        app = app.copy(update={"checkpointer": ckpt})
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    ctx = Context(max_parallel_workers=tasks, max_tasks=tasks) if side == "ours" else None
    inputs = INPUTS if side == "ours" else {**INPUTS, "n": tasks}
    started = time.perf_counter()
    last: dict[str, Any] = {}
    async for chunk in app.astream(
        inputs, config, context=ctx, stream_mode="updates", durability="sync"
    ):
        last = chunk
    report = last["report"]["report"]
    published = report["published"] if isinstance(report, dict) else report.published
    if len(published) != tasks:
        raise RuntimeError(f"{thread_id}: {len(published)} of {tasks} tasks published")
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of `values` (0 < q <= 1)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def stats(latencies: list[float], errors: list[BaseException], wall: float) -> dict[str, Any]:
    """p50/p95/p99/max latency, wall time, throughput and error kinds of one variant."""
    out: dict[str, Any] = {"ok": len(latencies), "errors": len(errors), "wall_s": wall}
    if errors:
        out["error_kinds"] = dict(Counter(type(e).__name__ for e in errors))
    if latencies:
        for name, q in (("p50_s", 0.5), ("p95_s", 0.95), ("p99_s", 0.99)):
            out[name] = percentile(latencies, q)
        out |= {"max_s": max(latencies), "mean_s": statistics.mean(latencies)}
        out["runs_per_s"] = len(latencies) / wall
        out["meets_target"] = not errors and out["p99_s"] < TARGET_P99_S
    return out


async def measure(
    app: Graph, side: str, label: str, runs: int, tasks: int, pool: Pool | None = None
) -> dict[str, Any]:
    """Start `runs` runs at once on `app` (with `pool`: a saver per run); their latency stats."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    results = await asyncio.gather(
        *(one_run(app, side, f"{label}-{i}", tasks, pool) for i in range(runs)),
        return_exceptions=True,
    )
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    latencies = [r for r in results if isinstance(r, float)]
    errors = [r for r in results if isinstance(r, BaseException)]
    return {**stats(latencies, errors, wall), "process_cpu_s": cpu}


async def postgres_pair(
    admin: str, order: tuple[str, str], shared: bool, args: tuple[int, int, float]
) -> dict[str, Any]:
    """Both sides on the production checkpoint pool, each on its own fresh database.

    `shared`: one saver for every run (as `chimera.serving.process` hands LangGraph one), else one
    saver per run (as `chimera.runs.runner` compiles one per run); both share the bounded pool.
    """
    runs, tasks, io_s = args
    out: dict[str, Any] = {}
    for side in order:
        conninfo = await asyncio.to_thread(fresh_database, admin, side)
        pool: Pool = await open_checkpoint_pool(conninfo)
        try:
            ckpt = saver(pool) if side == "ours" else AsyncPostgresSaver(pool)
            app = compile_side(side, io_s, ckpt)
            label = f"pg{'s' if shared else ''}-{side}"
            out[side] = await measure(app, side, label, runs, tasks, None if shared else pool)
            out[side]["pool_max_size"] = pool.max_size
        finally:
            await pool.close()
        print(f"  {label}: {_line(out[side])}", flush=True)
    return out


async def memory_pair(order: tuple[str, str], runs: int, tasks: int, io_s: float) -> dict[str, Any]:
    """Both sides on their own `InMemorySaver` (ours with our strict serde)."""
    out: dict[str, Any] = {}
    for side in order:
        app = compile_side(
            side, io_s, InMemorySaver(serde=serializer() if side == "ours" else None)
        )
        out[side] = await measure(app, side, f"mem-{side}", runs, tasks)
        print(f"  memory {side}: {_line(out[side])}", flush=True)
    return out


def _line(s: dict[str, Any]) -> str:
    if not s["ok"]:
        return f"all {s['errors']} runs failed: {s.get('error_kinds')}"
    return (
        f"p50 {s['p50_s']:.2f} s  p95 {s['p95_s']:.2f} s  p99 {s['p99_s']:.2f} s"
        f"  wall {s['wall_s']:.2f} s  cpu {s['process_cpu_s']:.2f} s"
        f"  ok {s['ok']}  errors {s['errors']}"
    )


async def run(
    admin: str | None, runs: int, tasks: int, io_ms: int, savers: list[str]
) -> dict[str, Any]:
    """Every requested checkpointer, ours and bare, the order alternating between checkpointers."""
    io_s = io_ms / 1000
    rows: dict[str, Any] = {}
    for k, name in enumerate(savers):
        order = ("ours", "bare") if k % 2 == 0 else ("bare", "ours")
        if name.startswith("postgres"):
            assert admin is not None
            shared = name == "postgres-shared"
            rows[name] = await postgres_pair(admin, order, shared, (runs, tasks, io_s))
        else:
            rows[name] = await memory_pair(order, runs, tasks, io_s)
        ours, bare = rows[name]["ours"], rows[name]["bare"]
        if ours["ok"] and bare["ok"]:
            rows[name]["ratio_p99"] = ours["p99_s"] / bare["p99_s"]
            rows[name]["ratio_wall"] = ours["wall_s"] / bare["wall_s"]
    return rows


def main(runs: int, tasks: int, io_ms: int, savers: list[str]) -> dict[str, Any]:
    """Run on a throwaway embedded Postgres (if asked for); return the JSON document."""
    started, load = time.perf_counter(), os.getloadavg()
    if any(name.startswith("postgres") for name in savers):
        with embedded_postgres("chimera-bench-conc-") as admin:
            rows = asyncio.run(run(admin, runs, tasks, io_ms, savers))
    else:
        rows = asyncio.run(run(None, runs, tasks, io_ms, savers))
    for name, row in rows.items():
        for side in ("ours", "bare"):
            print(f"{name:<15} {side:<4} {_line(row[side])}")
    return {
        "benchmark": "concurrency",
        "target": f"p99 < {TARGET_P99_S} s per run (ARCHITECTURE §9)",
        "runs": runs,
        "tasks": tasks,
        "io_ms": io_ms,
        "load_avg_at_start": load,
        "wall_s": time.perf_counter() - started,
        **rows,
    }
