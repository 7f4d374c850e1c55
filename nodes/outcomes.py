"""Outcomes several nodes share, so that no node imports another.

The review item, the step after a verdict and an earlier human decision (judge and CFO), and
the update that ends a task as failed or rejected (worker, reviewer, both commits). Helpers
return steps and updates, not `Command`s: each node builds its own `Command`, typed with exactly
the destinations that node can reach.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NamedTuple

from langgraph.types import Send

from chimera.control import repo
from chimera.platform.db import tenant_tx
from chimera.platform.ids import stable_id
from chimera.resources import Services
from state.contracts import Artifact, ContentPreview, ReviewItem, SuggestedAction
from state.records import Envelope, Rejection, TaskStatus, Verdict
from state.types import to_utc_z

By = Literal["judge", "reviewer", "worker"]


class Step(NamedTuple):
    """Where a judged artifact goes next (commit, review or back to dispatch) and the update."""

    goto: Send | Literal["dispatch"]
    update: dict[str, Any]


def review_item(artifact: Artifact, verdict: Verdict, ttl_minutes: int) -> ReviewItem:
    """The CONTRACTS §2.3 item for an escalated artifact."""
    now = datetime.now(UTC)
    return ReviewItem(
        review_id=stable_id("rev", artifact.artifact_id, artifact.payload.text),
        artifact_id=artifact.artifact_id,
        task_id=artifact.task_id,
        agent_id=artifact.agent_id,
        tenant_id=artifact.tenant_id,
        content_preview=ContentPreview(type=artifact.artifact_type, text=artifact.payload.text),
        confidence_score=verdict.confidence,
        risk_category=verdict.risk_category,
        reason_for_escalation=verdict.reasons,
        suggested_actions=[SuggestedAction.APPROVE, SuggestedAction.EDIT, SuggestedAction.REJECT],
        created_at=to_utc_z(now),
        expires_at=to_utc_z(now + timedelta(minutes=ttl_minutes)),
    )


async def earlier_decision(svc: Services, tenant_id: str, review_id: str) -> dict[str, Any] | None:
    """A decision already taken on this exact draft (e.g. in an earlier run), if any."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        row = await repo.get_review(conn, review_id)
    return row if row is not None and row["status"] != "pending" else None


def ended(task_id: str, status: str, reason: str, by: By) -> dict[str, Any]:
    """The update ending a task as failed or rejected, with its reason (then: dispatch)."""
    return {
        "status": {task_id: status},
        "rejections": [Rejection(task_id=task_id, reason=reason[:2000], by=by)],
    }


def next_step(routed: Envelope, update: dict[str, Any], earlier: dict[str, Any] | None) -> Step:
    """Route a judged envelope: commit, ask a human (or reuse an earlier human decision), reject."""
    verdict = routed.need_verdict()
    task_id = routed.task.task_id
    if verdict.decision == "approve":
        return Step(Send("commit", routed), update)
    if verdict.decision == "review" and earlier is None:
        return Step(
            Send("review", routed), {**update, "status": {task_id: TaskStatus.AWAITING_REVIEW}}
        )
    if earlier is not None and earlier["status"] in ("approve", "edit"):
        edited = earlier["notes"] if earlier["status"] == "edit" else None
        return Step(Send("commit", routed.model_copy(update={"edited_text": edited})), update)
    if earlier is not None:
        reason = f"Reviewer decided earlier: {earlier['notes'] or earlier['status']}"
        return Step(
            "dispatch", {**update, **ended(task_id, TaskStatus.REJECTED, reason, "reviewer")}
        )
    reason = " ".join(verdict.reasons)
    return Step("dispatch", {**update, **ended(task_id, TaskStatus.REJECTED, reason, "judge")})
