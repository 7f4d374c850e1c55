"""Driving campaign runs and review resumes from the CLI, notebooks and tests.

One active run per campaign: `run_campaign` continues an unfinished (e.g. killed) run from its
checkpoint, reports a run that waits for reviews, or starts a new thread when the last finished.
It holds the campaign's lease while it drives the thread (`chimera.runs.threads`), so a second
`run_campaign` of the same campaign fails fast with `RunInProgress`.
"""

from __future__ import annotations

import asyncio

from chimera.control import agent_state, repo
from chimera.control.ownership import check_campaign_usable
from chimera.control.personas import load_persona
from chimera.control.summaries import RunSummary
from chimera.platform.checkpoint import new_thread_id
from chimera.platform.db import tenant_tx
from chimera.platform.logs import log_context
from chimera.platform.tracing import tracing
from chimera.resources import Services
from chimera.runs.inbox import decide, expire_due
from chimera.runs.threads import (
    ProgressFn,
    campaign_lease,
    compile_graph,
    drive,
    finish,
    thread_state,
)
from state.context import Context
from state.inputs import RunRequest
from state.review import ReviewDecision


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
    async with tenant_tx(svc.pool, request.tenant_id) as conn:
        await agent_state.ensure_active(conn, agent_id)
    ids = {"tenant_id": request.tenant_id, "agent_id": agent_id, "campaign_id": request.campaign}
    with log_context(**ids), tracing(svc.settings):
        async with tenant_tx(svc.pool, request.tenant_id) as conn:
            await check_campaign_usable(conn, request.campaign)
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
    tenant, campaign = request.tenant_id, request.campaign
    async with tenant_tx(svc.pool, tenant) as conn:
        last = await repo.latest_thread(conn, campaign)
    thread_id, payload, note = None, None, ""
    if last is not None:
        state = await thread_state(graph, last["thread_id"])
        if expired and state in {"paused", "done"}:
            note = f"{expired} expired review(s) took their default action; the run went on."
            return await finish(svc, graph, tenant, campaign, last["thread_id"], note)
        if state == "paused":
            note = "This campaign's run is waiting for reviews; nothing new was started."
            return await finish(svc, graph, tenant, campaign, last["thread_id"], note)
        if state == "unfinished":
            thread_id, note = last["thread_id"], "Continued the unfinished run from its checkpoint."
        if state == "broken":
            note = (
                f"Run {last['thread_id']} ended without finishing; started a new run "
                "(side effects it already made are reused, not repeated)."
            )
    if thread_id is None:
        seq = 1 if last is None else int(last["seq"]) + 1
        thread_id = new_thread_id(tenant, campaign, seq)
        payload = request.model_dump()
    with log_context(thread_id=thread_id):
        await drive(graph, payload, thread_id, context, progress)
    return await finish(svc, graph, tenant, campaign, thread_id, note)


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
    summaries = await decide(svc, tenant_id, [review_id], decision, progress=progress)
    return summaries[0]


async def campaign_summary(svc: Services, tenant_id: str, campaign_id: str) -> RunSummary | None:
    """Where the campaign's latest run stands, without driving it (None: never run)."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        last = await repo.latest_thread(conn, campaign_id)
    if last is None:
        return None
    return await finish(svc, compile_graph(svc), tenant_id, campaign_id, last["thread_id"])
