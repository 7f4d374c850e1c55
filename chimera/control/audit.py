"""The audit trail (constitution rule 5): events with correlation ids, and traces back to a plan.

Every plan, task, artifact, verdict, escalation, review decision and side effect is a row of
`audit_log` carrying tenant, agent, campaign, task and thread ids (and the user, for human
decisions). `trace` walks those rows backwards from a post or payment to the plan that asked
for it, so a compliance officer can read one chain per side effect.
"""

from __future__ import annotations

import hashlib
from typing import Any

from psycopg.types.json import Jsonb

from chimera.control import repo
from chimera.platform.db import Conn
from state.contracts import Artifact, ReviewItem, Task
from state.records import RunRef

SIDE_EFFECT_KINDS = frozenset({"post_content", "send_transaction"})
CHAIN_EVENTS = (
    "task_planned",
    "artifact",
    "artifact_invalidated",
    "verdict",
    "escalated",
    "review_decision",
    "review_expired",
    "side_effect",
)


REFUSAL_EVENTS = (
    "plan_refused",
    "review_answer_refused",
    "review_rejudged",
    "publish_refused",
    "publish_failed",
    "payment_refused",
    "payment_failed",
)
"""Events that explain why something was not done, or was judged again (governance §5.1)."""


async def task_events(conn: Conn, run: RunRef, tasks: list[Task], plan_id: str) -> None:
    """One `task_planned` row per new task, naming the plan that created it."""
    for task in tasks:
        detail = {
            "plan_id": plan_id,
            "task_type": str(task.task_type),
            "depends_on": list(task.depends_on),
            "key": task.params.get("key"),
        }
        await repo.audit_run(conn, run, "task_planned", task_id=task.task_id, detail=detail)


async def artifact_event(conn: Conn, run: RunRef, artifact: Artifact) -> None:
    """The artifact a worker produced, as the judge received it."""
    digest = hashlib.sha256(artifact.payload.text.encode()).hexdigest()[:16]
    detail = {
        "artifact_id": artifact.artifact_id,
        "artifact_type": str(artifact.artifact_type),
        "state_snapshot_version": artifact.state_snapshot_version,
        "model": artifact.generation_metadata.model,
        "text_sha256": digest,
    }
    await repo.audit_run(conn, run, "artifact", task_id=artifact.task_id, detail=detail)


async def escalated(conn: Conn, run: RunRef, item: ReviewItem, default_action: str) -> None:
    """The judge sent an artifact to a human."""
    await conn.execute(
        "UPDATE reviews SET default_action = %s WHERE review_id = %s",
        (default_action, item.review_id),
    )
    detail = {
        "review_id": item.review_id,
        "artifact_id": item.artifact_id,
        "risk_category": item.risk_category,
        "confidence_score": item.confidence_score,
        "expires_at": item.expires_at,
        "default_action": default_action,
    }
    await repo.audit_run(conn, run, "escalated", task_id=item.task_id, detail=detail)


async def decision_event(
    conn: Conn, run: RunRef, task_id: str, event: str, user_id: str | None, detail: dict[str, Any]
) -> None:
    """A review decision (or expiry), with the deciding user in its own column."""
    await conn.execute(
        "INSERT INTO audit_log (tenant_id, agent_id, campaign_id, task_id, thread_id, event,"
        " detail, user_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            run.tenant_id,
            run.agent_id,
            run.campaign_id,
            task_id,
            run.thread_id,
            event,
            Jsonb(detail),
            user_id,
        ),
    )


async def refusal(conn: Conn, run: RunRef, review_id: str, attempt: int) -> str | None:
    """The recorded reason an earlier answer (by position) to this review was refused, if any."""
    row = await (
        await conn.execute(
            "SELECT detail->>'error' AS error FROM audit_log WHERE tenant_id = %s"
            " AND thread_id = %s AND event = 'review_answer_refused' AND detail->>'review_id' = %s"
            " AND (detail->>'attempt')::int = %s ORDER BY id LIMIT 1",
            (run.tenant_id, run.thread_id, review_id, attempt),
        )
    ).fetchone()
    return None if row is None else str(row["error"])


async def campaign_events(conn: Conn, campaign_id: str) -> list[dict[str, Any]]:
    """Every audit row of a campaign, oldest first."""
    rows = await (
        await conn.execute(
            "SELECT id, event, agent_id, campaign_id, task_id, thread_id, user_id, detail,"
            " created_at FROM audit_log WHERE campaign_id = %s ORDER BY id",
            (campaign_id,),
        )
    ).fetchall()
    return [{**dict(r), "created_at": str(r["created_at"])} for r in rows]


def _plan_of(events: list[dict[str, Any]], task_id: str) -> dict[str, Any] | None:
    for e in events:
        if e["event"] == "plan_written" and task_id in e["detail"].get("tasks", []):
            return e
    return None


def _chain(events: list[dict[str, Any]], effect: dict[str, Any]) -> dict[str, Any]:
    task_id = effect["task_id"]
    steps = [e for e in events if e["task_id"] == task_id and e["event"] in CHAIN_EVENTS]
    plan = _plan_of(events, task_id)
    decisions = [e for e in steps if e["event"] in ("review_decision", "review_expired")]
    verdicts = [e for e in steps if e["event"] == "verdict"]
    return {
        "effect": effect["detail"].get("kind"),
        "external_id": effect["detail"].get("post_id") or effect["detail"].get("tx_hash"),
        "task_id": task_id,
        "thread_id": effect["thread_id"],
        "plan_id": None if plan is None else plan["detail"].get("plan_id", plan["id"]),
        "planner": None if plan is None else plan["detail"].get("planner"),
        "verdict": None if not verdicts else verdicts[-1]["detail"].get("decision"),
        "reviewer": None if not decisions else decisions[-1]["user_id"],
        "review_decision": None if not decisions else decisions[-1]["detail"].get("decision"),
        "steps": ([plan] if plan else []) + steps,
    }


async def trace(
    conn: Conn, campaign_id: str, external_id: str | None = None
) -> list[dict[str, Any]]:
    """One chain per side effect of the campaign (or only the one with `external_id`).

    Each chain names the plan, task, verdict and reviewer behind a post or payment, followed by
    every audited step of its task in order.
    """
    events = await campaign_events(conn, campaign_id)
    effects = [
        e
        for e in events
        if e["event"] == "side_effect"
        and e["detail"].get("kind") in SIDE_EFFECT_KINDS
        and not e["detail"].get("reused")
    ]
    chains = [_chain(events, e) for e in effects]
    if external_id is not None:
        chains = [c for c in chains if c["external_id"] == external_id]
    return chains


async def campaign_updated(
    conn: Conn, tenant_id: str, campaign_id: str, version: int, changed: set[str], user_id: str
) -> None:
    """Record an operator's change of a campaign (its new version and the groups it changed)."""
    await conn.execute(
        "INSERT INTO audit_log (tenant_id, campaign_id, event, detail, user_id)"
        " VALUES (%s, %s, 'campaign_updated', jsonb_build_object('version', %s::int,"
        " 'changed', %s::text[]), %s)",
        (tenant_id, campaign_id, version, sorted(changed), user_id),
    )


def _why(detail: dict[str, Any]) -> str:
    """The readable reason an audit detail carries, whatever its event's field name."""
    reasons = detail.get("reasons")
    if isinstance(reasons, list) and reasons:
        return " ".join(str(r) for r in reasons)
    return str(detail.get("reason") or detail.get("error") or detail.get("outcome") or "")


async def refusals(conn: Conn, campaign_id: str) -> list[dict[str, Any]]:
    """Every refusal and re-judgement of a campaign, oldest first, each with its reason."""
    rows = await (
        await conn.execute(
            "SELECT id, event, task_id, thread_id, user_id, detail, created_at FROM audit_log"
            " WHERE campaign_id = %s AND event = ANY(%s) ORDER BY id",
            (campaign_id, list(REFUSAL_EVENTS)),
        )
    ).fetchall()
    return [
        {**dict(r), "created_at": str(r["created_at"]), "reason": _why(r["detail"])} for r in rows
    ]
