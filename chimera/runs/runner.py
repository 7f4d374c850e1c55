"""Driving campaign runs and review resumes from the CLI, notebooks and tests.

One active run per campaign: `run_campaign` continues an unfinished (e.g. killed) run from its
checkpoint, reports a run that waits for reviews, or starts a new thread when the last finished.
Both hold the campaign's lease (a Postgres advisory lock) while they drive its thread: a second
`run_campaign` fails fast with `RunInProgress`, and of two concurrent approvals of one review
the second waits, then is told the review is already decided; it publishes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph

from chimera.control import repo
from chimera.control.personas import load_persona
from chimera.control.summaries import RunSummary, summarize
from chimera.platform.checkpoint import saver
from chimera.platform.db import tenant_tx
from chimera.platform.logs import log_context
from chimera.platform.tracing import tracing
from chimera.resources import Services
from graphs.campaign import build_campaign_graph
from state.context import Context
from state.inputs import RunRequest
from state.review import ReviewDecision

ProgressFn = Callable[[str, dict[str, Any]], None]


class ReviewNotFound(LookupError):
    """No such review for this tenant."""


class AlreadyDecided(RuntimeError):
    """The review was decided before; nothing was done."""


class RunInProgress(RuntimeError):
    """Another process is driving this campaign's run right now."""


@asynccontextmanager
async def campaign_lease(svc: Services, campaign_id: str, *, wait: bool) -> AsyncIterator[None]:
    """Hold the campaign's Postgres advisory lock: one driver per campaign at a time.

    `wait=False` fails fast with `RunInProgress` (a second `chimera run`); `wait=True` queues
    (two approvals racing: the second runs after the first and finds the review decided).
    """
    async with svc.checkpoint_pool.connection() as conn:
        if wait:
            await conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (campaign_id,))
        else:
            row = await (
                await conn.execute(
                    "SELECT pg_try_advisory_lock(hashtextextended(%s, 0)) AS ok", (campaign_id,)
                )
            ).fetchone()
            if row is None or not row["ok"]:
                raise RunInProgress(f"campaign {campaign_id!r} is being run by another process")
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (campaign_id,))


def compile_graph(svc: Services) -> CompiledStateGraph[Any, Any, Any, Any]:
    """The campaign graph with the Postgres checkpointer."""
    return build_campaign_graph(svc).compile(checkpointer=saver(svc.checkpoint_pool))


async def _drive(
    graph: CompiledStateGraph[Any, Any, Any, Any],
    payload: Any,
    config: RunnableConfig,
    context: Context,
    progress: ProgressFn | None,
) -> None:
    # durability="sync": each step's checkpoint is stored before the next step starts, so a
    # killed process never leaves later writes without the checkpoint they belong to.
    async for chunk in graph.astream(
        payload, config, context=context, stream_mode="updates", durability="sync"
    ):
        for node, update in chunk.items():
            if progress is not None:
                progress(node, update if isinstance(update, dict) else {"value": update})


async def _state_of(graph: CompiledStateGraph[Any, Any, Any, Any], config: RunnableConfig) -> str:
    """Where a thread stands: new, done, paused (only reviews pending), unfinished, or broken.

    A superstep can hold an interrupt next to siblings that never finished (the process died):
    that thread is unfinished, not paused. A thread with nothing left to run but no report
    (its last steps were lost with the process) is broken.
    """
    snapshot = await graph.aget_state(config)
    if not snapshot.next:
        if not snapshot.values:
            return "new"
        return "done" if snapshot.values.get("report") else "broken"
    unfinished = [t for t in snapshot.tasks if not t.interrupts and t.result is None]
    return "unfinished" if unfinished else "paused"


async def run_campaign(
    svc: Services,
    *,
    agent_id: str,
    goal: str,
    campaign_id: str | None = None,
    context: Context | None = None,
    progress: ProgressFn | None = None,
) -> RunSummary:
    """Start, continue or report the campaign's run; return its summary."""
    persona = await asyncio.to_thread(load_persona, svc.settings.agents_dir, agent_id)
    request = RunRequest(
        tenant_id=persona.tenant_id,
        agent_id=agent_id,
        campaign_id=campaign_id,
        goal=goal,
    )
    ids = {"tenant_id": request.tenant_id, "agent_id": agent_id, "campaign_id": request.campaign}
    with log_context(**ids), tracing(svc.settings):
        from chimera.runs.inbox import (
            expire_due,  # the inbox drives threads with this module's helpers
        )

        # Running a campaign touches its reviews: due ones take their default action first.
        expired = await expire_due(svc, request.tenant_id, campaign_id=request.campaign)
        async with campaign_lease(svc, request.campaign, wait=False):
            return await _start_or_continue(
                svc, request, context or Context(), progress, expired=len(expired)
            )


async def _start_or_continue(
    svc: Services,
    request: RunRequest,
    context: Context,
    progress: ProgressFn | None,
    *,
    expired: int = 0,
) -> RunSummary:
    graph = compile_graph(svc)
    async with tenant_tx(svc.pool, request.tenant_id) as conn:
        last = await repo.latest_thread(conn, request.campaign)
    thread_id, payload, note = None, None, ""
    if last is not None:
        config: RunnableConfig = {"configurable": {"thread_id": last["thread_id"]}}
        state = await _state_of(graph, config)
        if expired and state in {"paused", "done"}:
            note = f"{expired} expired review(s) took their default action; the run went on."
            return await _finish(svc, graph, request, last["thread_id"], note)
        if state == "paused":
            note = "This campaign's run is waiting for reviews; nothing new was started."
            return await _finish(svc, graph, request, last["thread_id"], note)
        if state == "unfinished":
            thread_id, note = last["thread_id"], "Continued the unfinished run from its checkpoint."
        if state == "broken":
            note = (
                f"Run {last['thread_id']} ended without finishing; started a new run "
                "(side effects it already made are reused, not repeated)."
            )
    if thread_id is None:
        seq = 1 if last is None else int(last["seq"]) + 1
        thread_id = f"{request.campaign}.run-{seq}"
        payload = request.model_dump()
    config = {"configurable": {"thread_id": thread_id}}
    with log_context(thread_id=thread_id):
        await _drive(graph, payload, config, context, progress)
    return await _finish(svc, graph, request, thread_id, note)


async def _finish(
    svc: Services,
    graph: CompiledStateGraph[Any, Any, Any, Any],
    request: RunRequest,
    thread_id: str,
    note: str,
) -> RunSummary:
    state = await _state_of(graph, {"configurable": {"thread_id": thread_id}})
    status = {"paused": "paused", "done": "done"}.get(state, "running")
    async with tenant_tx(svc.pool, request.tenant_id) as conn:
        await repo.set_thread_status(conn, thread_id, status)
    summary = await summarize(svc.pool, request.tenant_id, request.campaign, thread_id, status)
    summary.note = note
    return summary


async def resume_review(
    svc: Services,
    *,
    tenant_id: str,
    review_id: str,
    decision: ReviewDecision,
    progress: ProgressFn | None = None,
) -> RunSummary:
    """Apply a reviewer's decision to one review (by review or interrupt id); see `inbox.decide`.

    Without a `user_id` the tenant's default reviewer decides; the user must be a reviewer or
    admin of this tenant.
    """
    from chimera.runs.inbox import decide  # the inbox drives threads with this module's helpers

    summaries = await decide(svc, tenant_id, [review_id], decision, progress=progress)
    return summaries[0]
