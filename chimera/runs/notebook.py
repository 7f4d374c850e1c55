"""What the notebooks call: run, inspect, approve, time-travel and calibrate, in a few awaits.

Notebooks hold no logic of their own; each cell calls one of these. `Lab` owns the process's
`Services` for the notebook's life (CHIMERA_HOME comes from the environment, so CI runs them on
a temporary home) and the compiled campaign graph with the Postgres checkpointer.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from chimera.control import repo
from chimera.control.summaries import RunSummary
from chimera.platform.db import tenant_tx
from chimera.platform.settings import Settings
from chimera.resources import Services, open_services
from chimera.runs.evaluation import evaluate
from chimera.runs.runner import resume_review, run_campaign
from chimera.runs.threads import compile_graph
from state.review import ReviewDecision


@dataclass(frozen=True)
class Step:
    """One checkpoint of a thread's history."""

    checkpoint_id: str
    step: int
    next: tuple[str, ...]
    source: str
    """What made it: `input`, `loop` (a superstep), `update` or `fork`."""


class Lab:
    """A notebook session: services, the checkpointed campaign graph and helpers."""

    def __init__(self, svc: Services, stack: AsyncExitStack) -> None:
        self.svc = svc
        self.graph: CompiledStateGraph[Any, Any, Any, Any] = compile_graph(svc)
        self._stack = stack

    @classmethod
    async def open(cls, settings: Settings | None = None) -> Lab:
        """Start (or reuse) the embedded services and the MCP servers."""
        _servers_log_to_real_stderr()
        stack = AsyncExitStack()
        svc = await stack.enter_async_context(open_services(settings))
        return cls(svc, stack)

    async def close(self) -> None:
        """Close pools, Redis and the MCP servers."""
        await self._stack.aclose()

    async def run(self, agent_id: str, goal: str) -> RunSummary:
        """Run (or continue) a campaign in-process, as `chimera run` does."""
        return await run_campaign(self.svc, agent_id=agent_id, goal=goal)

    async def decide_all(
        self, summary: RunSummary, decide: Callable[[dict[str, Any]], str] | None = None
    ) -> RunSummary:
        """Decide each pending review (`approve` unless `decide(review)` says `reject`)."""
        for review in summary.pending_reviews:
            verdict = decide(review) if decide else "approve"
            reason = "rejected from the notebook" if verdict == "reject" else None
            decision = ReviewDecision.model_validate(
                {"decision": verdict, "reason": reason}  # the tenant's default reviewer
            )
            summary = await resume_review(
                self.svc,
                tenant_id=summary.tenant_id,
                review_id=review["review_id"],
                decision=decision,
            )
        return summary

    def config(self, thread_id: str, checkpoint_id: str | None = None) -> RunnableConfig:
        """The config addressing a thread (at a checkpoint, if given)."""
        configurable = {"thread_id": thread_id}
        if checkpoint_id:
            configurable["checkpoint_id"] = checkpoint_id
        return {"configurable": configurable}

    async def state(self, thread_id: str, checkpoint_id: str | None = None) -> dict[str, Any]:
        """A thread's values, next nodes and pending interrupts."""
        snapshot = await self.graph.aget_state(self.config(thread_id, checkpoint_id))
        return {
            "values": snapshot.values,
            "next": snapshot.next,
            "interrupts": [i.value for i in snapshot.interrupts],
        }

    async def history(self, thread_id: str) -> list[Step]:
        """Every checkpoint of the thread, oldest first."""
        steps = [
            Step(
                checkpoint_id=str(s.config["configurable"]["checkpoint_id"]),
                step=int(s.metadata.get("step", -1)) if s.metadata else -1,
                next=tuple(s.next),
                source=str((s.metadata or {}).get("source", "")),
            )
            async for s in self.graph.aget_state_history(self.config(thread_id))
        ]
        return steps[::-1]

    async def replay(self, thread_id: str, checkpoint_id: str) -> list[str]:
        """Re-execute the thread from a past checkpoint; the nodes that ran, in order."""
        ran: list[str] = []
        config = self.config(thread_id, checkpoint_id)
        async for chunk in self.graph.astream(None, config, stream_mode="updates"):
            ran.extend(chunk)
        return ran

    async def fork(
        self,
        thread_id: str,
        checkpoint_id: str,
        values: dict[str, Any],
        *,
        as_node: str,
        goto: str,
    ) -> list[str]:
        """Branch from a past checkpoint with edited values and run the branch to its end.

        The values are applied as if `as_node` wrote them and routed to `goto` (the swarm
        routes with `Command`, so the branch needs an explicit destination). Returns the
        nodes that ran, in order.
        """
        update: Command[Any] = Command(update=values, goto=goto)
        config = await self.graph.aupdate_state(
            self.config(thread_id, checkpoint_id), update, as_node=as_node
        )
        ran: list[str] = []
        async for chunk in self.graph.astream(None, config, stream_mode="updates"):
            ran.extend(chunk)
        return ran

    async def calibration(self, tenant_id: str) -> list[dict[str, Any]]:
        """Judge confidence next to the judge's route and the reviewer's decision, per artifact."""
        async with tenant_tx(self.svc.pool, tenant_id) as conn:
            return await repo.calibration_rows(conn)


def _servers_log_to_real_stderr() -> None:
    """Give MCP server subprocesses the process's real stderr inside Jupyter.

    The MCP stdio client's default `errlog` is `sys.stderr` as it was at import; in a kernel
    that is a stream without a file descriptor, which a subprocess cannot inherit.
    """
    from mcp.client import stdio

    target: Any = stdio.stdio_client.__wrapped__  # type: ignore[attr-defined]
    errlog: Any = (target.__defaults__ or (None,))[0]
    try:
        errlog.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        target.__defaults__ = (sys.__stderr__,)


def outcome(row: dict[str, Any]) -> str:
    """The final word on an artifact: the reviewer's decision if it was escalated."""
    if row.get("reviewer") and row["reviewer"] != "pending":
        return f"reviewer: {row['reviewer']}"
    return f"judge: {row['judge']}"


def plot_calibration(
    rows: list[dict[str, Any]], path: Path, *, approve: float = 0.90, review: float = 0.70
) -> Path:
    """Scatter judge confidence per outcome with the routing thresholds; save a PNG.

    Blocking (matplotlib); call it through `asyncio.to_thread` from async code.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted({outcome(r) for r in rows})
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for y, label in enumerate(labels):
        xs = [float(r["confidence"]) for r in rows if outcome(r) == label]
        ax.scatter(xs, [y] * len(xs), alpha=0.6, label=f"{label} ({len(xs)})")
    ax.axvline(review, color="red", linestyle="--", label=f"review threshold {review}")
    ax.axvline(approve, color="green", linestyle="--", label=f"approve threshold {approve}")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("judge confidence")
    ax.set_xlim(0, 1.02)
    ax.set_title("Judge confidence vs decisions")
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


async def save_calibration_plot(rows: list[dict[str, Any]], path: Path) -> Path:
    """`plot_calibration` off the event loop."""
    return await asyncio.to_thread(plot_calibration, rows, path)


def plot_reliability(doc: dict[str, Any], path: Path) -> Path:
    """Reliability curve of each judge on the labelled set; save a PNG.

    Per confidence bucket: mean confidence (x) against the share of drafts fit to publish (y),
    dot size by drafts. A calibrated judge follows the diagonal; a constant one is a single dot.
    Blocking (matplotlib); call it through `asyncio.to_thread` from async code.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
    for name, style in (("semantic", "o-"), ("keyword", "s--")):
        table = doc[name]["calibration"]
        xs = [row["mean_confidence"] for row in table]
        ys = [row["fit_to_publish"] for row in table]
        ax.plot(xs, ys, style, label=f"{name} ({doc[name]['exact_routing']:.0%} routed exactly)")
    ax.set_xlabel("judge confidence (bucket mean)")
    ax.set_ylabel("share fit to publish")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("Judge reliability on the labelled set")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


async def labelled_set_reliability(path: Path) -> tuple[dict[str, Any], Path]:
    """Both judges on the labelled set (`runs.evaluation`), and their reliability plot."""
    doc = await evaluate()
    return doc, await asyncio.to_thread(plot_reliability, doc, path)
