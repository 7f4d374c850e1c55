"""report: summarise the run, explain how every task ended, close its thread, remember it.

The graph state is the truth about each task; the report writes every task's final status and
reason to its row, so the CLI, the console and `--json` (which read rows, not checkpoints) show
why each task ended where it did. A task that never ran is failed with that reason, so a
finished run never shows `pending`.
"""

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
from state.records import RunReport, Status, TaskStatus

_UNSUCCESSFUL = {TaskStatus.REJECTED, TaskStatus.FAILED, TaskStatus.SKIPPED}


def explained(state: CampaignState) -> dict[str, tuple[Status, str]]:
    """Every task's final status with the reason it ended there ("" for done).

    Args:
        state: The campaign state at the end of the run.

    Returns:
        task id -> (status, reason): rejected/failed carry their last recorded reason, skipped
        names the dependencies that did not succeed, and a task that never ran is failed.

    """
    tasks, status = state.get("tasks", {}), dict(state.get("status", {}))
    reasons = {r.task_id: f"{r.by}: {r.reason}" for r in state.get("rejections", [])}
    out: dict[str, tuple[Status, str]] = {}
    for task_id, task in tasks.items():
        current = status.get(task_id, TaskStatus.PENDING)
        if current == TaskStatus.DONE:
            out[task_id] = (current, "")
        elif current == TaskStatus.SKIPPED:
            failed = [
                f"{tasks[d].params.get('key', d) if d in tasks else d} ({status.get(d)})"
                for d in task.depends_on
                if status.get(d) in _UNSUCCESSFUL
            ]
            out[task_id] = (current, "skipped: dependency did not succeed: " + ", ".join(failed))
        elif current in (TaskStatus.REJECTED, TaskStatus.FAILED):
            out[task_id] = (current, reasons.get(task_id, f"{current} (no reason recorded)"))
        else:
            out[task_id] = (TaskStatus.FAILED, f"never finished ({current}) before the run ended")
    return out


def build_report(state: CampaignState, thread_id: str) -> RunReport:
    """The run summary from graph state."""
    ended = explained(state)
    refused = state.get("refused", "")
    return RunReport(
        campaign_id=state["campaign_id"],
        thread_id=thread_id,
        tasks={t: s for t, (s, _) in ended.items()},
        verdicts={t: v.decision for t, v in state.get("verdicts", {}).items()},
        published=list(state.get("published", {}).values()),
        pending_reviews=[t for t, (s, _) in ended.items() if s == TaskStatus.AWAITING_REVIEW],
        rejected=list(state.get("rejections", [])),
        replans=state.get("replans", 0),
        state="refused" if refused else "done",
        reason=refused,
        reasons={t: r[:2000] for t, (_, r) in ended.items() if r},
    )


def make_report(svc: Services) -> Node[CampaignState, dict[str, Any]]:
    """Build the node with its services."""

    async def report(state: CampaignState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Write the summary to state, task rows, the audit log, the thread row and memories."""
        thread_id = thread_of(runtime)
        summary = build_report(state, thread_id)
        episodic = EpisodicMemory(svc.redis, svc.settings.episodic_max, svc.settings.episodic_ttl_s)
        await remember_run(svc.host, episodic, state, summary)
        async with tenant_tx(svc.pool, state["tenant_id"]) as conn:
            for task_id, status in summary.tasks.items():
                reason = summary.reasons.get(task_id)
                await repo.set_task_status(conn, task_id, status, reason)
            await repo.set_thread_status(conn, thread_id, summary.state)
            detail = {
                "published": len(summary.published),
                "rejected": len(summary.rejected),
                "state": summary.state,
                "reason": summary.reason,
            }
            await repo.audit_run(conn, run_ref(state, thread_id), "run_finished", detail=detail)
        return {"report": summary, "status": dict(summary.tasks)}

    return report
