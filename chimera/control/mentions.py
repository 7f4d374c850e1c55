"""The engagement ledger (`mention_decisions`, under row-level security).

Each mention of an agent is decided once: `new` until a run claims it as replied, ignored or
escalated. The claim is one conditional `INSERT ... ON CONFLICT DO UPDATE ... WHERE status =
'new'`, so of two runs racing on a mention exactly one gets the row back. A run replaying its own
plan (a crash, a resume) gets its own claim back: the thread id that claimed is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chimera.platform.db import Conn
from state.engagement import STATUS_OF, Engagement
from state.records import Mention

_SEEN = (
    "INSERT INTO mention_decisions (tenant_id, agent_id, mention_id, platform, author_handle,"
    " text, mentioned_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (tenant_id, agent_id, mention_id) DO NOTHING"
)
_CLAIM = (
    "INSERT INTO mention_decisions AS d (tenant_id, agent_id, mention_id, platform,"
    " author_handle, text, mentioned_at, status, intent, reason, priority, thread_id,"
    " campaign_id, task_key, decided_at)"
    " VALUES (%(tenant)s, %(agent)s, %(id)s, %(platform)s, %(author)s, %(text)s, %(at)s,"
    " %(status)s, %(intent)s, %(reason)s, %(priority)s, %(thread)s, %(campaign)s, %(key)s, now())"
    " ON CONFLICT (tenant_id, agent_id, mention_id) DO UPDATE SET status = EXCLUDED.status,"
    " intent = EXCLUDED.intent, reason = EXCLUDED.reason, priority = EXCLUDED.priority,"
    " thread_id = EXCLUDED.thread_id, campaign_id = EXCLUDED.campaign_id,"
    " task_key = EXCLUDED.task_key, decided_at = now()"
    " WHERE d.status = 'new' OR d.thread_id = EXCLUDED.thread_id"
    " RETURNING d.mention_id"
)
_ANSWERS_SINCE = (
    "SELECT count(*) AS n FROM mention_decisions WHERE agent_id = %s"
    " AND status IN ('replied', 'escalated') AND decided_at >= %s"
    " AND thread_id IS DISTINCT FROM %s"
)


async def record_seen(conn: Conn, tenant_id: str, agent_id: str, mentions: list[Mention]) -> None:
    """Add mentions not in the ledger yet as `new` (a known mention keeps its decision)."""
    for m in mentions:
        await conn.execute(
            _SEEN,
            (tenant_id, agent_id, m.mention_id, m.platform, m.author_handle, m.text, m.created_at),
        )


async def decided(conn: Conn, agent_id: str, mention_ids: list[str], thread_id: str) -> set[str]:
    """The ids among `mention_ids` another run already decided (this thread's own stay open)."""
    cur = await conn.execute(
        "SELECT mention_id FROM mention_decisions WHERE agent_id = %s AND mention_id = ANY(%s)"
        " AND status <> 'new' AND thread_id IS DISTINCT FROM %s",
        (agent_id, mention_ids, thread_id),
    )
    return {r["mention_id"] for r in await cur.fetchall()}


async def count_new(conn: Conn, agent_id: str) -> int:
    """How many of the agent's recorded mentions no run has decided yet."""
    cur = await conn.execute(
        "SELECT count(*) AS n FROM mention_decisions WHERE agent_id = %s AND status = 'new'",
        (agent_id,),
    )
    row = await cur.fetchone()
    return int(row["n"]) if row else 0


async def claim(
    conn: Conn,
    tenant_id: str,
    agent_id: str,
    engagement: Engagement,
    run: tuple[str, str],
    task_key: str | None = None,
) -> bool:
    """Decide one mention for the run `(thread_id, campaign_id)`; False when another run did.

    Args:
        conn: A tenant transaction.
        tenant_id: The mention's tenant.
        agent_id: The mentioned agent.
        engagement: The mention, its intent, the action and its reason.
        run: The deciding run's thread id and campaign id.
        task_key: The plan key of the reply task, when one is planned.

    Returns:
        True when this run holds the decision (a fresh claim or its own earlier one).

    """
    m = engagement.mention
    params: dict[str, Any] = {
        "tenant": tenant_id,
        "agent": agent_id,
        "id": m.mention_id,
        "platform": m.platform,
        "author": m.author_handle,
        "text": m.text,
        "at": m.created_at,
        "status": STATUS_OF[engagement.action],
        "intent": str(engagement.intent),
        "reason": engagement.reason or None,
        "priority": engagement.priority,
        "thread": run[0],
        "campaign": run[1],
        "key": task_key,
    }
    return await (await conn.execute(_CLAIM, params)).fetchone() is not None


async def answers_since(conn: Conn, agent_id: str, since: datetime, thread_id: str) -> int:
    """Replies and escalations other runs of the agent decided since `since` (the cadence)."""
    row = await (await conn.execute(_ANSWERS_SINCE, (agent_id, since, thread_id))).fetchone()
    return int(row["n"]) if row else 0


async def list_decisions(
    conn: Conn, agent_id: str | None = None, status: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The tenant's ledger rows, newest mention first, optionally for one agent or status."""
    cur = await conn.execute(
        "SELECT agent_id, mention_id, platform, author_handle, text, mentioned_at, status,"
        " intent, reason, priority, campaign_id, thread_id, decided_at FROM mention_decisions"
        " WHERE (%(agent)s::text IS NULL OR agent_id = %(agent)s)"
        " AND (%(status)s::text IS NULL OR status = %(status)s)"
        " ORDER BY mentioned_at DESC NULLS LAST, mention_id LIMIT %(limit)s",
        {"agent": agent_id, "status": status, "limit": limit},
    )
    return [dict(r) for r in await cur.fetchall()]
