"""W1: fan-out engine overhead, ours / bare LangGraph of the same shape (ARCHITECTURE §9).

"ours" is a `StateGraph(CampaignState, context_schema=Context)` with the real `dispatch` node,
our reducers, `Envelope`/`RunRef` Send payloads and real Task/Artifact/Verdict/Published objects;
every other node is an in-process stub that follows the node protocol exactly but does no I/O.
"bare" is plain LangGraph with a TypedDict of dicts and one dict-merge reducer, the same
plan -> N x (work -> judge -> commit) -> join shape, carrying the same data as plain dicts.
Both run in one process, alternating, with `InMemorySaver` and without a checkpointer.
The graphs live in `bench.fanout_ours` and `bench.fanout_bare`; this module times them and
prints the table.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

from bench.fanout_bare import build_bare
from bench.fanout_ours import build_ours
from bench.fanout_shared import AGENT_ID, CAMPAIGN_ID, GOAL, TENANT_ID
from state.context import Context

Runner = Callable[[], Any]


def _inputs() -> dict[str, Any]:
    return {"tenant_id": TENANT_ID, "agent_id": AGENT_ID, "campaign_id": CAMPAIGN_ID, "goal": GOAL}


def ours_runner(n: int, saver: bool, run_no: int) -> Runner:
    """A ready-to-await invocation of a freshly compiled "ours" graph (compile not timed)."""
    app = build_ours().compile(checkpointer=InMemorySaver() if saver else None)
    config: RunnableConfig = {"configurable": {"thread_id": f"ours-{n}-{run_no}"}}
    ctx = Context(max_parallel_workers=n, max_tasks=n)
    return lambda: app.ainvoke(_inputs(), config, context=ctx)


def bare_runner(n: int, saver: bool, run_no: int) -> Runner:
    """A ready-to-await invocation of a freshly compiled "bare" graph (compile not timed)."""
    app = build_bare().compile(checkpointer=InMemorySaver() if saver else None)
    config: RunnableConfig = {"configurable": {"thread_id": f"bare-{n}-{run_no}"}}
    return lambda: app.ainvoke({**_inputs(), "n": n}, config)


def check_ours(out: dict[str, Any], n: int) -> None:
    """Fail loudly if the ours graph did not publish every task."""
    report = out["report"]
    assert len(report.published) == n and set(report.tasks.values()) == {"done"}, report


def check_bare(out: dict[str, Any], n: int) -> None:
    """Fail loudly if the bare graph did not publish every task."""
    assert out["report"]["done"] == n and len(out["report"]["published"]) == n


def inner_runs(n: int) -> int:
    """Invocations per timed sample, so a sample at small N lasts long enough to time well."""
    return max(1, 300 // n)


Timing = tuple[float, float]
"""(wall seconds, CPU seconds of this process)."""


async def timed(runner: Runner) -> tuple[Timing, Any]:
    """Wall and process-CPU seconds for one invocation, and its output.

    The work is pure in-process CPU, so CPU time is the same measure with other processes'
    load (the scheduler taking the core away) removed.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    out = await runner()
    return (time.perf_counter() - wall, time.process_time() - cpu), out


@dataclass
class Side:
    """Samples of one side: mean wall and CPU seconds per run."""

    wall_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)


@dataclass
class Row:
    """One (N, saver) measurement."""

    n: int
    saver: str
    repeat: int
    ours: Side = field(default_factory=Side)
    bare: Side = field(default_factory=Side)

    def summary(self) -> dict[str, float]:
        """Medians and bests of each side and their ratios (wall and CPU)."""
        med, best = statistics.median, min
        return {
            "ours_median_s": med(self.ours.wall_s),
            "bare_median_s": med(self.bare.wall_s),
            "ratio_median": med(self.ours.wall_s) / med(self.bare.wall_s),
            "ours_best_s": best(self.ours.wall_s),
            "bare_best_s": best(self.bare.wall_s),
            "ratio_best": best(self.ours.wall_s) / best(self.bare.wall_s),
            "ours_cpu_median_s": med(self.ours.cpu_s),
            "bare_cpu_median_s": med(self.bare.cpu_s),
            "ratio_cpu_median": med(self.ours.cpu_s) / med(self.bare.cpu_s),
        }


async def run_side(side: str, n: int, saver: bool, run_no: int) -> Timing:
    """Compile a fresh graph, collect garbage (both untimed), then time and check one run.

    Starting every run from a collected heap puts each side's GC work inside its own run
    instead of wherever a collection happens to trigger.
    """
    make, check = (ours_runner, check_ours) if side == "ours" else (bare_runner, check_bare)
    runner = make(n, saver, run_no)
    gc.collect()
    timing, out = await timed(runner)
    check(out, n)
    return timing


async def sample(n: int, saver: bool, i: int) -> dict[str, Timing]:
    """One paired sample: `inner_runs(n)` runs of each side, alternating run by run.

    Returns the mean (wall, CPU) seconds per run of each side.
    """
    inner = inner_runs(n)
    totals = {"ours": [0.0, 0.0], "bare": [0.0, 0.0]}
    for k in range(inner):
        for side in ("ours", "bare") if (i + k) % 2 == 0 else ("bare", "ours"):
            wall, cpu = await run_side(side, n, saver, i * 1000 + k)
            totals[side][0] += wall
            totals[side][1] += cpu
    return {side: (wall / inner, cpu / inner) for side, (wall, cpu) in totals.items()}


async def measure(n: int, saver: bool, repeat: int) -> Row:
    """`repeat` paired samples after one warm-up sample."""
    await sample(n, saver, -1)
    row = Row(n=n, saver="InMemorySaver" if saver else "none", repeat=repeat)
    for i in range(repeat):
        for side, (wall, cpu) in (await sample(n, saver, i)).items():
            samples = row.ours if side == "ours" else row.bare
            samples.wall_s.append(wall)
            samples.cpu_s.append(cpu)
    return row


def repeats_for(n: int, repeat: int) -> int:
    """Fewer repeats at large N to keep the whole run within a few minutes."""
    return max(1, min(repeat, 3)) if n >= 5000 else repeat


def format_table(rows: list[Row]) -> str:
    """A readable table: one line per (N, saver)."""
    head = (
        f"{'N':>5} {'saver':<13} {'rep':>3} {'ours_s':>8} {'bare_s':>8} {'ratio':>6}"
        f" {'r_best':>6} {'ours_cpu':>8} {'bare_cpu':>8} {'r_cpu':>6}  W1<=1.3"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        s = row.summary()
        ok = "ok" if s["ratio_median"] <= 1.3 else "OVER"
        lines.append(
            f"{row.n:>5} {row.saver:<13} {row.repeat:>3} {s['ours_median_s']:>8.4f}"
            f" {s['bare_median_s']:>8.4f} {s['ratio_median']:>6.2f} {s['ratio_best']:>6.2f}"
            f" {s['ours_cpu_median_s']:>8.4f} {s['bare_cpu_median_s']:>8.4f}"
            f" {s['ratio_cpu_median']:>6.2f}  {ok}"
        )
    lines += [
        "Seconds per graph run, median of `rep` samples (each the mean of max(1, 300 // N) runs).",
        "ratio = ours/bare wall medians (the W1 number); r_best = best/best wall;",
        "*_cpu / r_cpu = the same in this process's CPU time (insensitive to other load).",
    ]
    return "\n".join(lines)


async def run_all(sizes: list[int], repeat: int) -> list[Row]:
    """Every size, with and without a checkpointer."""
    rows = []
    for n in sizes:
        for saver in (True, False):
            rows.append(await measure(n, saver, repeats_for(n, repeat)))
            print(f"  measured N={n} saver={rows[-1].saver}", flush=True)
    return rows


def main(sizes: list[int], repeat: int) -> dict[str, Any]:
    """Run the benchmark and print the table; returns the JSON document to write."""
    started = time.perf_counter()
    rows = asyncio.run(run_all(sizes, repeat))
    print(format_table(rows))
    doc = {
        "benchmark": "fanout",
        "target": "ours/bare <= 1.3 at N = 10, 100, 1000 (ARCHITECTURE §9 W1)",
        "wall_s": time.perf_counter() - started,
        "runs_per_sample": {str(n): inner_runs(n) for n in sizes},
        "rows": [{**asdict(r), **r.summary()} for r in rows],
    }
    return doc
