"""Control-plane repository: the SQL the runtime runs, one small function per question.

Every function takes a connection opened by `chimera.platform.db.tenant_tx`, so row-level
security has already narrowed it to one tenant.
"""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from chimera.platform.db import Conn
from state.contracts import Artifact, ReviewItem, Task
from state.persona import Persona
from state.records import RunRef, Verdict


async def sync_persona(conn: Conn, persona: Persona, persona_ref: str) -> None:
    """Register a persona's tenant and agent rows (idempotent)."""
    await conn.execute(
        "INSERT INTO tenants (tenant_id, name) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (persona.tenant_id, persona.tenant_id),
    )
    await conn.execute(
        "INSERT INTO agents (id, tenant_id, name, persona_ref) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name, persona_ref = excluded.persona_ref",
        (persona.agent_id, persona.tenant_id, persona.name, persona_ref),
    )


async def ensure_campaign(
    conn: Conn, tenant_id: str, agent_id: str, campaign_id: str, goal: str
) -> dict[str, Any]:
    """Create the campaign on first use; return its row (state_version, config, objective)."""
    await conn.execute(
        "INSERT INTO campaigns (id, tenant_id, agent_id, name, objective)"
        " VALUES (%s, %s, %s, %s, %s)"
        " ON CONFLICT (id) DO NOTHING",
        (campaign_id, tenant_id, agent_id, campaign_id, goal),
    )
    row = await (
        await conn.execute("SELECT * FROM campaigns WHERE id = %s", (campaign_id,))
    ).fetchone()
    if row is None or row["agent_id"] != agent_id:
        raise LookupError(f"campaign {campaign_id!r} not found for agent {agent_id!r}")
    return dict(row)


async def register_thread(
    conn: Conn, thread_id: str, tenant_id: str, agent_id: str, campaign_id: str
) -> None:
    """Map a thread to its tenant and campaign (idempotent)."""
    await conn.execute(
        "INSERT INTO threads (thread_id, tenant_id, agent_id, campaign_id, seq)"
        " VALUES (%s, %s, %s, %s, (SELECT coalesce(max(seq), 0) + 1 FROM threads"
        " WHERE campaign_id = %s)) ON CONFLICT (thread_id) DO NOTHING",
        (thread_id, tenant_id, agent_id, campaign_id, campaign_id),
    )


async def get_thread(conn: Conn, thread_id: str) -> dict[str, Any] | None:
    """A thread row, or None when it is not this tenant's."""
    row = await (
        await conn.execute("SELECT * FROM threads WHERE thread_id = %s", (thread_id,))
    ).fetchone()
    return None if row is None else dict(row)


async def latest_thread(conn: Conn, campaign_id: str) -> dict[str, Any] | None:
    """The newest thread of a campaign."""
    row = await (
        await conn.execute(
            "SELECT * FROM threads WHERE campaign_id = %s ORDER BY seq DESC LIMIT 1", (campaign_id,)
        )
    ).fetchone()
    return None if row is None else dict(row)


async def set_thread_status(conn: Conn, thread_id: str, status: str) -> None:
    """Record where a thread stands (running, paused, done, failed)."""
    await conn.execute(
        "UPDATE threads SET status = %s, updated_at = now() WHERE thread_id = %s",
        (status, thread_id),
    )


async def save_tasks(conn: Conn, thread_id: str, tasks: list[Task]) -> None:
    """Insert or refresh planned tasks."""
    for t in tasks:
        await conn.execute(
            "INSERT INTO tasks (task_id, tenant_id, campaign_id, thread_id, task_type, status,"
            " depends_on, payload) VALUES (%s, %s, %s, %s, %s, 'pending', %s, %s)"
            " ON CONFLICT (task_id) DO UPDATE SET thread_id = excluded.thread_id,"
            " payload = excluded.payload, updated_at = now()",
            (
                t.task_id,
                t.tenant_id,
                t.goal.campaign_id,
                thread_id,
                t.task_type,
                list(t.depends_on),
                Jsonb(t.model_dump(mode="json")),
            ),
        )


async def set_task_status(conn: Conn, task_id: str, status: str, reason: str | None = None) -> None:
    """Move a task to a status, with the reason it ended there (kept when none is given)."""
    await conn.execute(
        "UPDATE tasks SET status = %s, reason = coalesce(%s, reason), updated_at = now()"
        " WHERE task_id = %s",
        (status, None if reason is None else reason[:2000], task_id),
    )


async def save_artifact(conn: Conn, artifact: Artifact, campaign_id: str, verdict: Verdict) -> None:
    """Record an artifact with the judge's verdict."""
    await conn.execute(
        "INSERT INTO artifacts (artifact_id, tenant_id, task_id, campaign_id, artifact_type,"
        " payload, decision, confidence, risk_category, reasons) VALUES"
        " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (artifact_id) DO UPDATE SET"
        " decision = excluded.decision, confidence = excluded.confidence,"
        " risk_category = excluded.risk_category, reasons = excluded.reasons",
        (
            artifact.artifact_id,
            artifact.tenant_id,
            artifact.task_id,
            campaign_id,
            artifact.artifact_type,
            Jsonb(artifact.payload.model_dump(mode="json")),
            verdict.decision,
            verdict.confidence,
            verdict.risk_category,
            Jsonb(verdict.reasons),
        ),
    )


async def open_review(conn: Conn, item: ReviewItem, *, thread_id: str, campaign_id: str) -> None:
    """Create the pending review row for an escalated artifact (idempotent)."""
    await conn.execute(
        "INSERT INTO reviews (review_id, tenant_id, agent_id, campaign_id, thread_id, task_id,"
        " artifact_id, item, expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (review_id) DO NOTHING",
        (
            item.review_id,
            item.tenant_id,
            item.agent_id,
            campaign_id,
            thread_id,
            item.task_id,
            item.artifact_id,
            Jsonb(item.model_dump(mode="json")),
            item.expires_at,
        ),
    )


async def get_review(conn: Conn, review_id: str) -> dict[str, Any] | None:
    """A review row, or None when it does not exist for this tenant."""
    row = await (
        await conn.execute("SELECT * FROM reviews WHERE review_id = %s", (review_id,))
    ).fetchone()
    return None if row is None else dict(row)


async def list_reviews(
    conn: Conn, *, status: str | None = "pending", campaign_id: str | None = None
) -> list[dict[str, Any]]:
    """Reviews of this tenant, oldest first, optionally filtered."""
    rows = await (
        await conn.execute(
            "SELECT * FROM reviews WHERE (%(s)s::text IS NULL OR status = %(s)s)"
            " AND (%(c)s::text IS NULL OR campaign_id = %(c)s) ORDER BY created_at, review_id",
            {"s": status, "c": campaign_id},
        )
    ).fetchall()
    return [dict(r) for r in rows]


async def decide_review(
    conn: Conn, review_id: str, decision: str, *, user_id: str | None, notes: str | None
) -> bool:
    """Record a decision if the review is still pending; False when it was already decided."""
    cur = await conn.execute(
        "UPDATE reviews SET status = %s, decision = %s, user_id = %s, notes = %s,"
        " decided_at = now() WHERE review_id = %s AND status = 'pending'",
        (decision, decision, user_id, notes, review_id),
    )
    return cur.rowcount == 1


async def record_post(
    conn: Conn,
    run: RunRef,
    task_id: str,
    platform: str,
    text: str,
    result: dict[str, Any],
    kind: str = "post",
) -> None:
    """Mirror a published post into the control plane (idempotent on the platform's post id)."""
    await conn.execute(
        "INSERT INTO posts (id, tenant_id, agent_id, campaign_id, task_id, platform, status, text,"
        " published_at, kind, external_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (id) DO NOTHING",
        (
            result["post_id"],
            run.tenant_id,
            run.agent_id,
            run.campaign_id,
            task_id,
            platform,
            result["status"],
            text,
            result["published_at"],
            kind,
            result["post_id"],
        ),
    )


async def audit(conn: Conn, tenant_id: str, event: str, **ids: Any) -> None:
    """Append to the audit log; `detail` holds anything that is not a correlation id."""
    keys = ("agent_id", "campaign_id", "task_id", "thread_id")
    detail = ids.pop("detail", {})
    await conn.execute(
        "INSERT INTO audit_log"
        " (tenant_id, agent_id, campaign_id, task_id, thread_id, event, detail)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (tenant_id, *(ids.get(k) for k in keys), event, Jsonb(detail)),
    )


async def audit_run(
    conn: Conn, run: RunRef, event: str, *, task_id: str | None = None, detail: Any = None
) -> None:
    """Audit an event of a run, with all of the run's correlation ids."""
    await audit(
        conn,
        run.tenant_id,
        event,
        agent_id=run.agent_id,
        campaign_id=run.campaign_id,
        task_id=task_id,
        thread_id=run.thread_id,
        detail=detail or {},
    )


async def tenant_exists(conn: Conn, tenant_id: str) -> bool:
    """Whether the tenant is registered (it has at least one persona)."""
    row = await (
        await conn.execute("SELECT 1 FROM tenants WHERE tenant_id = %s", (tenant_id,))
    ).fetchone()
    return row is not None


async def post_angles(conn: Conn, post_ids: list[str]) -> dict[str, str]:
    """The planner's angle behind each of these posts (posts without one are left out)."""
    rows = await (
        await conn.execute(
            "SELECT p.id, t.payload->'params'->>'angle' AS angle FROM posts p"
            " JOIN tasks t ON t.task_id = p.task_id WHERE p.id = ANY(%s)",
            (post_ids,),
        )
    ).fetchall()
    return {r["id"]: r["angle"] for r in rows if r["angle"]}


_CALIBRATION = """
SELECT a.task_id, a.confidence, a.decision AS judge, r.status AS reviewer
FROM artifacts a LEFT JOIN reviews r ON r.artifact_id = a.artifact_id
WHERE a.confidence IS NOT NULL ORDER BY a.created_at
"""


async def calibration_rows(conn: Conn) -> list[dict[str, Any]]:
    """Every judged artifact's confidence, the judge's decision and the reviewer's, oldest first."""
    return [dict(r) for r in await (await conn.execute(_CALIBRATION)).fetchall()]
