"""Review expiry: a review past its `expires_at` takes its campaign's default action.

Nothing runs on a timer. When reviews are next touched (listed, shown or decided), the due ones
are resumed with their default action (reject unless the tenant or campaign policy says
`review_default_action = "approve"`) as a system decision marked `expired`; the review node
accepts such a decision only if the row really is past its expiry. The row's status becomes
`expired` and the audit log records `review_expired`.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from chimera.platform.db import Conn
from state.review import ReviewDecision


async def is_expired(conn: Conn, review_id: str) -> bool:
    """Whether the review is still pending and past its expiry."""
    row = await (
        await conn.execute(
            "SELECT 1 FROM reviews WHERE review_id = %s AND status = 'pending'"
            " AND expires_at <= now()",
            (review_id,),
        )
    ).fetchone()
    return row is not None


async def due(conn: Conn, campaign_id: str | None = None) -> list[dict[str, Any]]:
    """Pending reviews of this tenant past their expiry, oldest first."""
    rows = await (
        await conn.execute(
            "SELECT * FROM reviews WHERE status = 'pending' AND expires_at <= now()"
            " AND (%(c)s::text IS NULL OR campaign_id = %(c)s) ORDER BY expires_at, review_id",
            {"c": campaign_id},
        )
    ).fetchall()
    return [dict(r) for r in rows]


def default_decision(row: dict[str, Any]) -> ReviewDecision:
    """The system decision an expired review row takes."""
    action = row.get("default_action") or "reject"
    when = row["expires_at"].astimezone(UTC)
    reason = f"Review expired at {when:%Y-%m-%dT%H:%M:%SZ} without a decision."
    if action == "approve":
        return ReviewDecision(decision="approve", reason=reason, expired=True)
    return ReviewDecision(decision="reject", reason=reason, expired=True)


async def mark_expired(conn: Conn, review_id: str, action: str, notes: str | None) -> bool:
    """Record the default action on a pending review; False when it was decided already."""
    cur = await conn.execute(
        "UPDATE reviews SET status = 'expired', decision = %s, notes = %s, decided_at = now()"
        " WHERE review_id = %s AND status = 'pending'",
        (action, notes, review_id),
    )
    return cur.rowcount == 1
