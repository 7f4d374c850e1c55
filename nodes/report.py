"""report: summarise the run, close its thread, and remember what happened."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from chimera.control import repo
from chimera.memory.remember import remember_run
from chimera.platform.db import tenant_tx
from chimera.platform.episodic import EpisodicMemory
from chimera.resources import Services
from nodes.contracts import Node, thread_of
from state.context import Context
from state.graph import CampaignState, run_ref
from state.records import RunReport, TaskStatus


def build_report(state: CampaignState, thread_id: str) -> RunReport:
    """The run summary from graph state."""
    status = state.get("status", {})
    return RunReport(
        campaign_id=state["campaign_id"],
        thread_id=thread_id,
        tasks=dict(status),
        verdicts={t: v.decision for t, v in state.get("verdicts", {}).items()},
        published=list(state.get("published", {}).values()),
        pending_reviews=[t for t, s in status.items() if s == TaskStatus.AWAITING_REVIEW],
        rejected=list(state.get("rejections", [])),
        replans=state.get("replans", 0),
    )


def make_report(svc: Services) -> Node[CampaignState, dict[str, Any]]:
    """Build the node with its services."""

    async def report(state: CampaignState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Write the summary to state, the audit log, the thread row and both memories."""
        thread_id = thread_of(runtime)
        summary = build_report(state, thread_id)
        episodic = EpisodicMemory(svc.redis, svc.settings.episodic_max, svc.settings.episodic_ttl_s)
        await remember_run(svc.host, episodic, state, summary)
        async with tenant_tx(svc.pool, state["tenant_id"]) as conn:
            await repo.set_thread_status(conn, thread_id, "done")
            detail = {"published": len(summary.published), "rejected": len(summary.rejected)}
            await repo.audit_run(conn, run_ref(state, thread_id), "run_finished", detail=detail)
        return {"report": summary}

    return report
