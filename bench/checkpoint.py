"""Postgres checkpoint tax: ours / bare LangGraph with the same saver (ARCHITECTURE §9: <= 1.1).

"ours" is the W1 stub campaign graph (`bench.fanout_ours`: `CampaignState`, our reducers,
`dispatch`, `Envelope` packets, real records, no I/O) compiled with
`chimera.platform.checkpoint.saver` (strict allow-list serde), driven as the runner drives a run:
`astream(..., stream_mode="updates",
durability="sync")`. "bare" is the same shape in plain LangGraph (`bench.shape_bare`: dict state,
default serde) with an `AsyncPostgresSaver`. Each side has its own fresh database on one embedded
Postgres and the production checkpoint pool. Runs alternate A B / B A; both graphs also run
without a checkpointer so the tax itself (with - without) can be compared.
`python -m bench checkpoint [--tasks 5] [--repeat 20]`.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph.state import CompiledStateGraph

from bench.fanout_ours import build_ours
from bench.fanout_shared import AGENT_ID, CAMPAIGN_ID, GOAL, TENANT_ID
from bench.pg_saver import embedded_postgres, fresh_database, thread_footprint
from bench.shape_bare import build_shape_bare
from chimera.platform.checkpoint import saver
from chimera.platform.db import Pool
from chimera.resources import open_checkpoint_pool
from state.context import Context

TARGET = 1.1
INPUTS = {"tenant_id": TENANT_ID, "agent_id": AGENT_ID, "campaign_id": CAMPAIGN_ID, "goal": GOAL}


@dataclass
class Variant:
    """One side: its compiled graph, input, context and samples."""

    name: str
    app: CompiledStateGraph[Any, Any, Any, Any]
    inputs: dict[str, Any]
    context: Context | None
    tasks: int
    pool: Pool | None = None
    wall_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)
    threads: list[str] = field(default_factory=list)


async def drive(variant: Variant, thread_id: str) -> dict[str, Any]:
    """One run as the runner drives it; returns the last `updates` chunk."""
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    last: dict[str, Any] = {}
    async for chunk in variant.app.astream(
        variant.inputs,
        config,
        context=variant.context,
        stream_mode="updates",
        # LangGraph 1.2 fails on "sync" without a checkpointer (it awaits a save never started)
        durability="sync" if variant.app.checkpointer else None,
    ):
        last = chunk
    return last


def check(variant: Variant, last: dict[str, Any]) -> None:
    """Fail loudly unless the run ended in a report with every task published."""
    report = last["report"]["report"]
    published = report["published"] if isinstance(report, dict) else report.published
    assert len(published) == variant.tasks, (variant.name, report)


async def timed_run(variant: Variant, run_no: int) -> None:
    """Collect garbage (untimed), then time and check one run."""
    thread_id = f"{TENANT_ID}.{variant.name}.run-{run_no}"
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    last = await drive(variant, thread_id)
    variant.wall_s.append(time.perf_counter() - wall)
    variant.cpu_s.append(time.process_time() - cpu)
    variant.threads.append(thread_id)
    check(variant, last)


async def open_variants(admin: str, tasks: int) -> list[Variant]:
    """ours/bare x Postgres/none; each Postgres side on its own fresh database."""
    ctx = Context(max_parallel_workers=tasks, max_tasks=tasks)
    pools = []
    for side in ("ours", "bare"):
        conninfo = await asyncio.to_thread(fresh_database, admin, side, chimera=side == "ours")
        pools.append(await open_checkpoint_pool(conninfo))
    bare_in = {**INPUTS, "n": tasks}
    return [
        Variant(
            "ours_pg",
            build_ours().compile(checkpointer=saver(pools[0])),
            INPUTS,
            ctx,
            tasks,
            pools[0],
        ),
        Variant(
            "bare_pg",
            build_shape_bare().compile(checkpointer=AsyncPostgresSaver(pools[1])),
            bare_in,
            None,
            tasks,
            pools[1],
        ),
        Variant("ours_none", build_ours().compile(), INPUTS, ctx, tasks),
        Variant("bare_none", build_shape_bare().compile(), bare_in, None, tasks),
    ]


def _summary(v: Variant) -> dict[str, Any]:
    med = statistics.median
    return {
        "median_s": med(v.wall_s),
        "best_s": min(v.wall_s),
        "cpu_median_s": med(v.cpu_s),
        "runs": len(v.wall_s),
    }


async def _footprints(variants: list[Variant]) -> dict[str, dict[str, int]]:
    """Rows and bytes of the last run of each side that has a saver."""
    return {v.name: await thread_footprint(v.pool, v.threads[-1]) for v in variants if v.pool}


def summarise(variants: list[Variant], prints: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Per-side medians, per-superstep cost, rows/bytes per run and the ratios."""
    sides = {v.name: _summary(v) for v in variants}
    for name, foot in prints.items():
        steps = foot["checkpoints_rows"]
        sides[name] |= {"supersteps": steps, "footprint": foot}
        sides[name]["per_superstep_ms"] = 1000 * sides[name]["median_s"] / steps
    ours, bare = sides["ours_pg"], sides["bare_pg"]
    tax_ours = ours["median_s"] - sides["ours_none"]["median_s"]
    tax_bare = bare["median_s"] - sides["bare_none"]["median_s"]
    return {
        "sides": sides,
        "ratio_median": ours["median_s"] / bare["median_s"],
        "ratio_best": ours["best_s"] / bare["best_s"],
        "ratio_cpu_median": ours["cpu_median_s"] / bare["cpu_median_s"],
        "ratio_no_saver": sides["ours_none"]["median_s"] / sides["bare_none"]["median_s"],
        "tax_ours_s": tax_ours,
        "tax_bare_s": tax_bare,
        "ratio_bytes": ours["footprint"]["bytes"] / bare["footprint"]["bytes"],
    }


async def run(admin: str, tasks: int, repeat: int, warmup: int = 2) -> dict[str, Any]:
    """Warm up, then `repeat` rounds of every variant in alternating order; return the numbers."""
    variants = await open_variants(admin, tasks)
    try:
        for i in range(-warmup, repeat):
            order = variants if i % 2 == 0 else variants[::-1]
            for v in order:
                await timed_run(v, i)
        for v in variants:  # drop the warm-up samples
            del v.wall_s[:warmup], v.cpu_s[:warmup]
        prints = await _footprints(variants)
    finally:
        for v in variants:
            if v.pool is not None:
                await v.pool.close()
    return {"tasks": tasks, "repeat": repeat, **summarise(variants, prints)}


def format_table(doc: dict[str, Any]) -> str:
    """A readable table: one line per variant, then the ratios."""
    head = f"{'variant':<10} {'median_ms':>9} {'best_ms':>8} {'cpu_ms':>7} {'steps':>5}"
    head += f" {'ms/step':>7} {'rows':>5} {'bytes':>7}"
    lines = [head, "-" * len(head)]
    for name, s in doc["sides"].items():
        foot = s.get("footprint", {})
        lines.append(
            f"{name:<10} {1000 * s['median_s']:>9.2f} {1000 * s['best_s']:>8.2f}"
            f" {1000 * s['cpu_median_s']:>7.2f} {s.get('supersteps', '-'):>5}"
            f" {s.get('per_superstep_ms', 0):>7.2f} {foot.get('rows', '-'):>5}"
            f" {foot.get('bytes', '-'):>7}"
        )
    ok = "ok" if doc["ratio_median"] <= TARGET else "OVER"
    lines.append(
        f"ratio ours_pg/bare_pg: median {doc['ratio_median']:.3f} ({ok}, target <= {TARGET}),"
        f" best {doc['ratio_best']:.3f}, cpu {doc['ratio_cpu_median']:.3f};"
        f" without saver {doc['ratio_no_saver']:.3f}; bytes {doc['ratio_bytes']:.2f}"
    )
    return "\n".join(lines)


def main(tasks: int, repeat: int) -> dict[str, Any]:
    """Run on a throwaway embedded Postgres, print the table; return the JSON document."""
    started, load = time.perf_counter(), os.getloadavg()
    with embedded_postgres("chimera-bench-ckpt-") as admin:
        doc = asyncio.run(run(admin, tasks, repeat))
    print(format_table(doc))
    return {
        "benchmark": "checkpoint",
        "target": f"ours/bare with the same Postgres saver <= {TARGET} (ARCHITECTURE §9)",
        "load_avg_at_start": load,
        "wall_s": time.perf_counter() - started,
        **doc,
    }
