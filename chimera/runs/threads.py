"""Campaign threads: the lease, the compiled graph, driving a thread, where it stands, finishing.

One active thread per campaign. Every driver (a run, a review decision, an expiry) holds the
campaign's lease, a Postgres advisory lock, while it drives the thread: a second run fails fast
with `RunInProgress`, and of two concurrent approvals of one review the second waits, then finds
the review decided. The runner and the inbox both drive threads through this module only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph

from chimera.control import repo
from chimera.control.errors import (
    AlreadyDecided,
    DecisionRefused,
    ReviewNotFound,
    RunInProgress,
)
from chimera.control.summaries import RunSummary, summarize
from chimera.platform.checkpoint import saver
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from graphs.campaign import build_campaign_graph
from state.context import Context
from state.records import RunReport

ProgressFn = Callable[[str, dict[str, Any]], None]
"""Called with (node, update) after each step of a driven thread."""
Graph = CompiledStateGraph[Any, Any, Any, Any]
__all__ = [
    "AlreadyDecided",
    "DecisionRefused",
    "ReviewNotFound",
    "RunInProgress",
    "campaign_lease",
    "compile_graph",
    "drive",
    "finish",
    "interrupt_ids",
    "refused_answers",
    "thread_state",
]
ThreadState = Literal["new", "done", "paused", "unfinished", "broken"]


_LOCK = "SELECT pg_advisory_lock(hashtextextended(%s, 0))"
_TRY_LOCK = "SELECT pg_try_advisory_lock(hashtextextended(%s, 0)) AS ok"
_UNLOCK = "SELECT pg_advisory_unlock(hashtextextended(%s, 0))"


@asynccontextmanager
async def campaign_lease(svc: Services, campaign_id: str, *, wait: bool) -> AsyncIterator[None]:
    """Hold the campaign's Postgres advisory lock: one driver per campaign at a time.

    `wait=False` fails fast with `RunInProgress` (a second `chimera run`); `wait=True` queues
    (two approvals racing: the second runs after the first and finds the review decided).
    """
    async with svc.checkpoint_pool.connection() as conn:
        if wait:
            await conn.execute(_LOCK, (campaign_id,))
        else:
            row = await (await conn.execute(_TRY_LOCK, (campaign_id,))).fetchone()
            if row is None or not row["ok"]:
                raise RunInProgress(f"campaign {campaign_id!r} is being run by another process")
        try:
            yield
        finally:
            await conn.execute(_UNLOCK, (campaign_id,))


def compile_graph(svc: Services) -> Graph:
    """The campaign graph with the Postgres checkpointer."""
    return build_campaign_graph(svc).compile(checkpointer=saver(svc.checkpoint_pool))


def thread_config(thread_id: str) -> RunnableConfig:
    """The run config naming one thread."""
    return {"configurable": {"thread_id": thread_id}}


async def drive(
    graph: Graph,
    payload: Any,
    thread_id: str,
    context: Context,
    progress: ProgressFn | None = None,
) -> None:
    """Run the thread until it pauses or ends, reporting each step to `progress`."""
    # durability="sync": each step's checkpoint is stored before the next step starts, so a
    # killed process never leaves later writes without the checkpoint they belong to.
    async for chunk in graph.astream(
        payload,
        thread_config(thread_id),
        context=context,
        stream_mode="updates",
        durability="sync",
    ):
        for node, update in chunk.items():
            if progress is not None:
                progress(node, update if isinstance(update, dict) else {"value": update})


async def thread_state(graph: Graph, thread_id: str) -> ThreadState:
    """Where a thread stands: new, done, paused (only reviews pending), unfinished, or broken.

    A superstep can hold an interrupt next to siblings that never finished (the process died):
    that thread is unfinished, not paused. A thread with nothing left to run but no report
    (its last steps were lost with the process) is broken.
    """
    snapshot = await graph.aget_state(thread_config(thread_id))
    if not snapshot.next:
        if not snapshot.values:
            return "new"
        return "done" if snapshot.values.get("report") else "broken"
    unfinished = [t for t in snapshot.tasks if not t.interrupts and t.result is None]
    return "unfinished" if unfinished else "paused"


async def interrupt_ids(graph: Graph, thread_id: str) -> dict[str, str]:
    """review_id -> interrupt id of the reviews waiting in one thread."""
    snapshot = await graph.aget_state(thread_config(thread_id))
    found: dict[str, str] = {}
    for item in snapshot.interrupts:
        value = item.value if isinstance(item.value, dict) else {}
        review_id = value.get("review", {}).get("review_id")
        if review_id:
            found[review_id] = item.id
    return found


async def refused_answers(graph: Graph, thread_id: str, review_ids: list[str]) -> list[str]:
    """Why the run refused the answers just given to these reviews (still asked, with `error`)."""
    snapshot = await graph.aget_state(thread_config(thread_id))
    errors = []
    for item in snapshot.interrupts:
        value = item.value if isinstance(item.value, dict) else {}
        if value.get("review", {}).get("review_id") in review_ids and value.get("error"):
            errors.append(f"review {value['review']['review_id']}: {value['error']}")
    return errors


async def finish(
    svc: Services, graph: Graph, tenant_id: str, campaign_id: str, thread_id: str, note: str = ""
) -> RunSummary:
    """Record where the thread stands and summarise its campaign's run.

    A finished run whose plan was refused as a whole is `refused`, with the reason.
    """
    state = await thread_state(graph, thread_id)
    status = {"paused": "paused", "done": "done"}.get(state, "running")
    report = await final_report(graph, thread_id) if status == "done" else None
    if report is not None and report.state == "refused":
        status = "refused"
    async with tenant_tx(svc.pool, tenant_id) as conn:
        await repo.set_thread_status(conn, thread_id, status)
    summary = await summarize(svc.pool, tenant_id, campaign_id, thread_id, status)
    summary.note = note
    summary.reason = "" if report is None else report.reason
    return summary


async def final_report(graph: Graph, thread_id: str) -> RunReport | None:
    """The report a finished thread wrote (None while it runs or waits)."""
    snapshot = await graph.aget_state(thread_config(thread_id))
    value = snapshot.values.get("report") if snapshot.values else None
    return None if value is None else RunReport.model_validate(value, from_attributes=True)
