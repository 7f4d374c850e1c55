"""Claiming and settling due scheduled posts: the SQL side of the outbox.

A due post is claimed with a conditional update (`scheduled` -> `publishing`) over rows picked
with `FOR UPDATE SKIP LOCKED`, so concurrent outboxes never claim one post twice. A claim older
than `stale` (its process died mid-publish) is claimed again; the social server's idempotency key
makes that second call return the first result instead of publishing twice. Posts of paused
agents are never claimed. A claimed post the campaign's current policy refuses is settled
`refused` with the reasons (specs/governance.md §1.4).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chimera.platform.db import Conn

_CLAIM = (
    "WITH due AS (SELECT q.id, q.status = 'publishing' AS retaken"
    "   FROM posts q JOIN agents a ON a.id = q.agent_id"
    "   WHERE q.payload IS NOT NULL AND q.publish_at <= %(now)s AND a.status <> 'paused'"
    "   AND (q.status = 'scheduled' OR (q.status = 'publishing' AND q.claimed_at < %(stale)s))"
    "   ORDER BY q.publish_at, q.id LIMIT %(limit)s FOR UPDATE OF q SKIP LOCKED)"
    " UPDATE posts p SET status = 'publishing', claimed_at = %(now)s FROM due WHERE p.id = due.id"
    " RETURNING p.id, p.agent_id, p.campaign_id, p.task_id, p.thread_id, p.platform, p.kind,"
    " p.idempotency_key, p.payload, p.gate, due.retaken"
)
"""The one conditional claim: due, unpaused, unclaimed (or stale) rows, skipping locked ones."""


async def claim_due(
    conn: Conn, now: datetime, *, stale: timedelta, limit: int = 20
) -> list[dict[str, Any]]:
    """Claim the tenant's posts due at `now` (and stale claims); return what to publish.

    Args:
        conn: A tenant transaction (commit it before publishing).
        now: The outbox clock.
        stale: Age after which a `publishing` claim is taken over.
        limit: Most posts claimed at once.

    Returns:
        Claimed rows: id, agent_id, campaign_id, task_id, thread_id, platform, kind,
        idempotency_key, payload, gate (the publish gate's inputs, None for older rows) and
        retaken (the row was another process's stale claim, so it may already be out).

    """
    rows = await (
        await conn.execute(_CLAIM, {"now": now, "stale": now - stale, "limit": limit})
    ).fetchall()
    return [dict(r) for r in rows]


async def settle(
    conn: Conn, post_id: str, result: dict[str, Any] | None, error: str | None
) -> None:
    """Record a claimed post's outcome: published (with the platform's result) or failed."""
    if result is not None:
        await conn.execute(
            "UPDATE posts SET status = 'published', external_id = %s, published_at = %s,"
            " error = NULL WHERE id = %s AND status = 'publishing'",
            (result["post_id"], result.get("published_at"), post_id),
        )
    else:
        await conn.execute(
            "UPDATE posts SET status = 'failed', error = %s WHERE id = %s"
            " AND status = 'publishing'",
            (error, post_id),
        )


async def release(conn: Conn, post_id: str, at: datetime) -> None:
    """Give a claimed post back to the calendar at `at` (after a transient failure)."""
    await conn.execute(
        "UPDATE posts SET status = 'scheduled', publish_at = %s, claimed_at = NULL"
        " WHERE id = %s AND status = 'publishing'",
        (at, post_id),
    )


async def refuse(conn: Conn, post_id: str, reasons: list[str]) -> None:
    """Settle a claimed post `refused`: the campaign's current policy forbids it to go out."""
    await conn.execute(
        "UPDATE posts SET status = 'refused', error = %s WHERE id = %s AND status = 'publishing'",
        (" ".join(reasons)[:2000], post_id),
    )
