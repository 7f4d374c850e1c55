"""Read models of the web console: review context, fleet health, campaign detail, daily series.

The console shows what the control plane already records; these queries join it for display
(under the caller's tenant transaction, so RLS scopes every row). Nothing here decides or
writes: actions go through `chimera/runs/inbox.py`, `chimera/control/occ.py`, `agent_state.py`
and `calendar.py`; money comes from `chimera/control/pnl.py`.
"""

from __future__ import annotations

from typing import Any

from chimera.control.pnl_scope import PnlQuery, window
from chimera.platform.db import Conn

_REVIEW_CONTEXT = (
    "SELECT r.review_id, t.payload AS task, a.payload AS artifact, a.reasons"
    " FROM reviews r LEFT JOIN tasks t ON t.task_id = r.task_id"
    " LEFT JOIN artifacts a ON a.artifact_id = r.artifact_id"
    " WHERE r.review_id = ANY(%s)"
)

_FLEET = """
SELECT ag.id AS agent_id, ag.name, ag.status,
  (SELECT max(th.created_at) FROM threads th WHERE th.agent_id = ag.id) AS last_run,
  (SELECT count(*) FROM reviews r WHERE r.agent_id = ag.id AND r.status = 'pending')
     AS pending_reviews,
  (SELECT count(*) FROM posts p WHERE p.agent_id = ag.id AND p.status = 'published'
     AND p.published_at >= date_trunc('day', now())) AS posts_today,
  (SELECT count(*) FROM campaigns c WHERE c.agent_id = ag.id) AS campaigns
FROM agents ag ORDER BY ag.id
"""

_ERRORS = (
    "SELECT agent_id, event, detail, created_at FROM audit_log"
    " WHERE event IN ('review_answer_refused', 'run_failed', 'task_failed')"
    " ORDER BY id DESC LIMIT %s"
)

_POSTS_PER_DAY = (
    "SELECT date_trunc('day', published_at)::date AS day, count(*) AS n FROM posts"
    " WHERE status = 'published' AND published_at >= now() - make_interval(days => %s)"
    " AND (%s::text IS NULL OR agent_id = %s) AND (%s::text IS NULL OR campaign_id = %s)"
    " GROUP BY 1 ORDER BY 1"
)

_ENGAGEMENT_PER_DAY = (
    "SELECT date_trunc('day', s.published_at)::date AS day, count(*) AS posts,"
    " coalesce(sum(e.views), 0) AS views,"
    " coalesce(sum(e.likes + e.comments + e.shares), 0) AS engagements"
    " FROM social_posts s LEFT JOIN LATERAL (SELECT g.views, g.likes, g.comments, g.shares"
    " FROM social_engagement g WHERE g.post_id = s.post_id ORDER BY g.age_hours DESC LIMIT 1)"
    " e ON true WHERE s.status = 'published'"
    " AND (%(campaign)s::text IS NULL OR s.tracking->>'campaign_id' = %(campaign)s)"
    + window("s.published_at", agent="s.agent_id")
    + " GROUP BY 1 ORDER BY 1"
)

_TASKS = (
    "SELECT t.task_id, t.task_type, t.status, a.decision AS verdict, a.confidence,"
    " a.risk_category FROM tasks t LEFT JOIN artifacts a ON a.task_id = t.task_id"
    " WHERE t.campaign_id = %s ORDER BY t.updated_at, t.task_id"
)


async def review_context(conn: Conn, review_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per review id: the task payload (mention, author, platform) and the artifact payload."""
    if not review_ids:
        return {}
    rows = await (await conn.execute(_REVIEW_CONTEXT, (review_ids,))).fetchall()
    return {str(r["review_id"]): dict(r) for r in rows}


async def fleet(conn: Conn) -> list[dict[str, Any]]:
    """Every agent of the tenant with its last run, pending reviews and posts today."""
    return [dict(r) for r in await (await conn.execute(_FLEET)).fetchall()]


async def recent_errors(conn: Conn, limit: int = 20) -> list[dict[str, Any]]:
    """The latest refusals and failures recorded in the audit log."""
    return [dict(r) for r in await (await conn.execute(_ERRORS, (limit,))).fetchall()]


async def posts_per_day(
    conn: Conn, days: int = 14, *, agent_id: str | None = None, campaign_id: str | None = None
) -> list[tuple[str, int]]:
    """Published posts per day over the last `days` days (days with none are left out)."""
    args = (days, agent_id, agent_id, campaign_id, campaign_id)
    rows = await (await conn.execute(_POSTS_PER_DAY, args)).fetchall()
    return [(str(r["day"]), int(r["n"])) for r in rows]


async def engagement_per_day(conn: Conn, q: PnlQuery) -> list[dict[str, Any]]:
    """Per publication day: published posts and their newest engagement snapshot's totals.

    The posts, scope and snapshot rule are those of `chimera.control.pnl`, so the days add up to
    the report's post count, views and engagements.
    """
    rows = await (await conn.execute(_ENGAGEMENT_PER_DAY, q.params())).fetchall()
    return [
        {
            "day": str(r["day"]),
            "posts": int(r["posts"]),
            "views": int(r["views"]),
            "engagements": int(r["engagements"]),
        }
        for r in rows
    ]


async def agent_ids(conn: Conn) -> list[str]:
    """The tenant's agent ids, in order."""
    return [
        str(r["id"])
        for r in await (await conn.execute("SELECT id FROM agents ORDER BY id")).fetchall()
    ]


async def campaigns(conn: Conn) -> list[dict[str, Any]]:
    """The tenant's campaigns, newest first."""
    rows = await (
        await conn.execute(
            "SELECT id, agent_id, objective, state_version, status, updated_at FROM campaigns"
            " ORDER BY updated_at DESC, id"
        )
    ).fetchall()
    return [dict(r) for r in rows]


async def campaign_tasks(conn: Conn, campaign_id: str) -> list[dict[str, Any]]:
    """The campaign's tasks with the judge's verdict on each artifact."""
    return [dict(r) for r in await (await conn.execute(_TASKS, (campaign_id,))).fetchall()]


async def pending_in_thread(conn: Conn, thread_id: str) -> int:
    """How many reviews of one thread still wait for a decision."""
    row = await (
        await conn.execute(
            "SELECT count(*) AS n FROM reviews WHERE thread_id = %s AND status = 'pending'",
            (thread_id,),
        )
    ).fetchone()
    return 0 if row is None else int(row["n"])
