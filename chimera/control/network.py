"""Operator side of the agent network: tenant sharing policy, collaboration locks, proposals.

The bridge server reads these tables (each in the owning tenant's transaction); operators write
them through `chimera network ...`. A lock refuses every proposal to or from the agent and every
answer by it until it is lifted.
"""

from __future__ import annotations

from typing import Any, Literal

from chimera.platform.db import Conn

Sharing = Literal["none", "tenant", "network"]
Review = Literal["always", "never"]


async def set_policy(conn: Conn, tenant_id: str, sharing: Sharing, review: Review) -> None:
    """Set what may leave the tenant and whether accepted collaborations need a human."""
    await conn.execute(
        "INSERT INTO network_policies (tenant_id, sharing, collab_review) VALUES (%s, %s, %s)"
        " ON CONFLICT (tenant_id) DO UPDATE SET sharing = EXCLUDED.sharing,"
        " collab_review = EXCLUDED.collab_review, updated_at = now()",
        (tenant_id, sharing, review),
    )


async def policy(conn: Conn) -> dict[str, Any] | None:
    """The tenant's policy row (None: the settings' default sharing, review always)."""
    row = await (
        await conn.execute("SELECT sharing, collab_review FROM network_policies")
    ).fetchone()
    return dict(row) if row else None


async def lock(conn: Conn, tenant_id: str, agent_id: str, by: str, reason: str) -> None:
    """Lock an agent's collaborations (idempotent: a second lock updates the reason)."""
    await conn.execute(
        "INSERT INTO network_locks (tenant_id, agent_id, locked_by, reason) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (tenant_id, agent_id) DO UPDATE SET locked_by = EXCLUDED.locked_by,"
        " reason = EXCLUDED.reason, locked_at = now()",
        (tenant_id, agent_id, by, reason),
    )


async def unlock(conn: Conn, agent_id: str) -> bool:
    """Lift an agent's lock; False when it was not locked."""
    cur = await conn.execute("DELETE FROM network_locks WHERE agent_id = %s", (agent_id,))
    return cur.rowcount > 0


async def proposals(conn: Conn, agent_id: str | None) -> list[dict[str, Any]]:
    """The tenant's proposals (of one agent, or all), newest first, with any lock."""
    rows = await (
        await conn.execute(
            "SELECT p.proposal_id, p.side, p.agent_id, p.peer_agent_id, p.status,"
            " p.proposal, p.counter_terms, p.created_at, l.reason AS locked,"
            " v.verdict, v.score, v.status AS review, v.answered_by"
            " FROM openclaw_proposals p LEFT JOIN network_locks l USING (tenant_id, agent_id)"
            " LEFT JOIN network_verdicts v ON v.tenant_id = p.tenant_id"
            " AND v.proposal_id = p.proposal_id AND p.side = 'received'"
            " WHERE %s::text IS NULL OR p.agent_id = %s ORDER BY p.created_at DESC LIMIT 200",
            (agent_id, agent_id),
        )
    ).fetchall()
    return [dict(r) for r in rows]


OPEN_TASKS = ["pending", "dispatched", "awaiting_review"]


async def pending_work(conn: Conn, agent_id: str) -> int:
    """The agent's real pending work: open tasks of its campaigns plus pending reviews."""
    row = await (
        await conn.execute(
            "SELECT (SELECT count(*) FROM tasks t JOIN campaigns c ON c.id = t.campaign_id"
            "  WHERE c.agent_id = %s AND t.status = ANY(%s))"
            " + (SELECT count(*) FROM reviews WHERE agent_id = %s AND status = 'pending') AS n",
            (agent_id, OPEN_TASKS, agent_id),
        )
    ).fetchone()
    return int(row["n"]) if row else 0


async def lock_reason(conn: Conn, agent_id: str) -> str | None:
    """Why the agent's collaborations are locked, or None."""
    row = await (
        await conn.execute("SELECT reason FROM network_locks WHERE agent_id = %s", (agent_id,))
    ).fetchone()
    return str(row["reason"]) if row else None


async def judged(conn: Conn, agent_id: str) -> set[str]:
    """Proposal ids the agent's judge already decided on."""
    rows = await (
        await conn.execute(
            "SELECT proposal_id FROM network_verdicts WHERE agent_id = %s", (agent_id,)
        )
    ).fetchall()
    return {str(r["proposal_id"]) for r in rows}


async def record_verdict(conn: Conn, tenant_id: str, agent_id: str, proposal_id: str,
                         verdict: dict[str, Any]) -> None:  # fmt: skip
    """Store the judge's verdict (`verdict`, `score`, `reasons`, `status`, `answered_by`)."""
    await conn.execute(
        "INSERT INTO network_verdicts (tenant_id, agent_id, proposal_id, score, verdict, reasons,"
        " status, answered_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (tenant_id, proposal_id) DO NOTHING",
        (tenant_id, agent_id, proposal_id, verdict["score"], verdict["verdict"],
         verdict["reasons"], verdict["status"], verdict.get("answered_by")),
    )  # fmt: skip


async def verdict_of(conn: Conn, proposal_id: str) -> dict[str, Any] | None:
    """The verdict on a received proposal of this tenant, or None (also: another tenant's)."""
    row = await (
        await conn.execute("SELECT * FROM network_verdicts WHERE proposal_id = %s", (proposal_id,))
    ).fetchone()
    return dict(row) if row else None


async def mark_answered(conn: Conn, proposal_id: str, by: str) -> None:
    """Record that a human (or the judge) answered the proposal."""
    await conn.execute(
        "UPDATE network_verdicts SET status = 'answered', answered_by = %s WHERE proposal_id = %s",
        (by, proposal_id),
    )
