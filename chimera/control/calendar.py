"""The content calendar in the control plane: taken slots, deferrals, and operator interventions.

Posts published at once are mirrored by `repo.record_post`; posts deferred to a later slot are
stored here as `scheduled` with their post_content arguments, and the outbox
(`chimera.control.outbox`) publishes them. Cancel and reschedule are conditional updates on
`status = 'scheduled'`, so they can never race a publish: whichever commits first wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb
from pydantic import BaseModel

from chimera.control import repo
from chimera.platform.db import Conn
from chimera.platform.ids import stable_id
from state.persona import Persona
from state.records import RunRef

STATUSES = ("scheduled", "publishing", "published", "cancelled", "failed", "refused")
_TAKEN = ("scheduled", "publishing", "published")


class PublishGate(BaseModel):
    """What the outbox needs to check a deferred post against the campaign's policy again."""

    persona: Persona
    """The persona the post was written and approved under (before the current policy)."""
    source_text: str = ""
    """The untrusted text a reply answers ("" for a post)."""


class PostNotFound(LookupError):
    """No such post in this tenant."""


class CalendarError(ValueError):
    """An intervention that cannot apply (e.g. the post is no longer scheduled)."""


@dataclass(frozen=True)
class Taken:
    """Times an agent already uses: posts per platform, and replies."""

    posts: dict[str, list[datetime]]
    replies: list[datetime]


async def taken(conn: Conn, agent_id: str, since: datetime, *, skip_key: str = "") -> Taken:
    """The agent's published and scheduled slots from `since` on (minus the post under `skip_key`).

    Args:
        conn: A tenant transaction.
        agent_id: The agent.
        since: Ignore posts before this (slot rules look back at most a day).
        skip_key: An idempotency key whose own row must not block itself.

    Returns:
        The taken slots.

    """
    rows = await (
        await conn.execute(
            "SELECT platform, kind, coalesce(publish_at, published_at) AS at FROM posts"
            " WHERE agent_id = %s AND status = ANY(%s)"
            " AND coalesce(publish_at, published_at) >= %s"
            " AND coalesce(idempotency_key, '') <> %s",
            (agent_id, list(_TAKEN), since, skip_key),
        )
    ).fetchall()
    posts: dict[str, list[datetime]] = {}
    replies = []
    for row in rows:
        if row["kind"] == "reply":
            replies.append(row["at"])
        else:
            posts.setdefault(row["platform"], []).append(row["at"])
    return Taken(posts, replies)


async def lock_agent(conn: Conn, tenant_id: str, agent_id: str) -> None:
    """Serialise slot decisions of one agent until the transaction ends."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 11))", (f"{tenant_id}/{agent_id}",)
    )


async def existing(conn: Conn, key: str) -> dict[str, Any] | None:
    """The calendar row of an idempotency key, if the post was already deferred."""
    row = await (
        await conn.execute(
            "SELECT id, status, publish_at FROM posts WHERE idempotency_key = %s", (key,)
        )
    ).fetchone()
    return dict(row) if row else None


_SCHEDULE = (
    "INSERT INTO posts (id, tenant_id, agent_id, campaign_id, task_id, thread_id, status,"
    " platform, text, kind, publish_at, idempotency_key, payload, gate)"
    " VALUES (%s, %s, %s, %s, %s, %s, 'scheduled', %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (id) DO NOTHING"
)
"""A deferred post, once per calendar id (a replayed commit finds the row it wrote)."""


async def schedule(
    conn: Conn,
    run: RunRef,
    task_id: str,
    key: str,
    args: dict[str, Any],
    *,
    kind: str,
    at: datetime,
    gate: PublishGate,
) -> str:
    """Store a post deferred to `at` (idempotent on `key`); return its calendar id.

    Args:
        conn: A tenant transaction.
        run: The run's correlation ids.
        task_id: The publishing task.
        key: The side effect's idempotency key (the outbox publishes with it).
        args: The post_content arguments.
        kind: `post` or `reply`.
        at: The slot.
        gate: What the outbox re-checks the post with when it takes it.

    Returns:
        The calendar id of the post.

    """
    post_id = stable_id("cal", run.tenant_id, key)
    ids = (post_id, run.tenant_id, run.agent_id, run.campaign_id, task_id, run.thread_id)
    post = (args["platform"], args["content"]["text"], kind, at, key, Jsonb(args))
    await conn.execute(_SCHEDULE, (*ids, *post, Jsonb(gate.model_dump(mode="json"))))
    detail = {"post_id": post_id, "platform": args["platform"], "publish_at": at.isoformat()}
    await repo.audit_run(conn, run, "post_scheduled", task_id=task_id, detail=detail)
    return post_id


async def list_posts(
    conn: Conn,
    *,
    agent_id: str | None = None,
    status: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The tenant's calendar: posts by slot (publish time, else published time).

    Args:
        conn: A tenant transaction.
        agent_id: Only this agent's posts.
        status: Only posts in this status (see `STATUSES`).
        start: Only slots at or after this.
        end: Only slots before this.
        limit: Most rows returned.

    Returns:
        Rows with post_id, agent, campaign, platform, kind, status, publish_at, published_at, text.

    """
    if status is not None and status not in STATUSES:
        raise CalendarError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    rows = await (
        await conn.execute(
            "SELECT id AS post_id, agent_id, campaign_id, task_id, platform, kind, status,"
            " publish_at, published_at, external_id, text, error FROM posts"
            " WHERE (%(agent)s::text IS NULL OR agent_id = %(agent)s)"
            " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " AND (%(start)s::timestamptz IS NULL"
            "      OR coalesce(publish_at, published_at) >= %(start)s)"
            " AND (%(end)s::timestamptz IS NULL OR coalesce(publish_at, published_at) < %(end)s)"
            " ORDER BY coalesce(publish_at, published_at), id LIMIT %(limit)s",
            {"agent": agent_id, "status": status, "start": start, "end": end, "limit": limit},
        )
    ).fetchall()
    return [dict(r) for r in rows]


async def _change(conn: Conn, post_id: str, sql: str, params: tuple[Any, ...]) -> dict[str, Any]:
    row = await (await conn.execute(sql, params)).fetchone()
    if row is not None:
        return dict(row)
    found = await (
        await conn.execute("SELECT status FROM posts WHERE id = %s", (post_id,))
    ).fetchone()
    if found is None:
        raise PostNotFound(f"post {post_id!r} not found")
    raise CalendarError(f"post {post_id!r} is {found['status']}, not scheduled; nothing changed")


async def cancel(conn: Conn, tenant_id: str, post_id: str, user_id: str) -> dict[str, Any]:
    """Cancel a scheduled post (it will never publish) and audit it.

    Raises:
        PostNotFound: no such post in this tenant.
        CalendarError: the post is not scheduled any more (published, publishing, cancelled).

    """
    row = await _change(
        conn,
        post_id,
        "UPDATE posts SET status = 'cancelled' WHERE id = %s AND status = 'scheduled'"
        " RETURNING id AS post_id, agent_id, campaign_id, platform, status, publish_at",
        (post_id,),
    )
    await _audit(conn, tenant_id, "post_cancelled", row, user_id)
    return row


async def reschedule(
    conn: Conn, tenant_id: str, post_id: str, at: datetime, user_id: str
) -> dict[str, Any]:
    """Move a scheduled post to `at` and audit it (operators may override the posting plan).

    Raises:
        PostNotFound: no such post in this tenant.
        CalendarError: the post is not scheduled any more.

    """
    row = await _change(
        conn,
        post_id,
        "UPDATE posts SET publish_at = %s WHERE id = %s AND status = 'scheduled'"
        " RETURNING id AS post_id, agent_id, campaign_id, platform, status, publish_at",
        (at, post_id),
    )
    await _audit(conn, tenant_id, "post_rescheduled", row, user_id)
    return row


async def _audit(conn: Conn, tenant_id: str, event: str, row: dict[str, Any], user: str) -> None:
    detail = {"post_id": row["post_id"], "publish_at": row["publish_at"].isoformat()}
    await conn.execute(
        "INSERT INTO audit_log (tenant_id, agent_id, campaign_id, event, detail, user_id)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (tenant_id, row["agent_id"], row["campaign_id"], event, Jsonb(detail), user),
    )
