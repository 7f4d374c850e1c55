"""What the X backend keeps in Postgres: idempotency claims, post records, outbox, mentions.

A publish to X cannot share a transaction with the HTTP call, so a key is claimed `pending` in
its own transaction, the call is made under a per-key advisory lock (held by a transaction that
dies with the process), and the result is recorded after. A `pending` claim found later means a
publish whose outcome is unknown: the backend retries it and recovers the first post if X calls
the retry a duplicate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from chimera.platform.db import Pool, tenant_tx
from servers.social.sandbox import recorded_key


@dataclass(frozen=True)
class Claim:
    """The state of an idempotency key after claiming it."""

    state: str  # "new", "pending" (an earlier attempt's outcome is unknown) or "done"
    result: dict[str, Any]


@asynccontextmanager
async def key_lock(pool: Pool, tenant_id: str, key: str) -> AsyncIterator[None]:
    """Serialise every publish of one key (released if the process dies)."""
    async with tenant_tx(pool, tenant_id) as conn:
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 8))", (f"{tenant_id}:{key}",)
        )
        yield


async def claim(pool: Pool, tenant_id: str, key: str, tool: str, digest: str) -> Claim:
    """Claim `key` as pending, or report what an earlier call with it left.

    Raises:
        Conflict: the key was used with another payload.

    """
    async with tenant_tx(pool, tenant_id) as conn:
        inserted = await conn.execute(
            "INSERT INTO social_idempotency"
            " (tenant_id, idempotency_key, tool, payload_hash, result, state)"
            " VALUES (%s, %s, %s, %s, '{}', 'pending') ON CONFLICT DO NOTHING RETURNING 1",
            (tenant_id, key, tool, digest),
        )
        if await inserted.fetchone() is not None:
            return Claim("new", {})
        row = await recorded_key(conn, tenant_id, key, digest)
    return Claim(row["state"], row["result"])


async def release(pool: Pool, tenant_id: str, key: str) -> None:
    """Forget a pending claim whose publish was refused (nothing reached the platform)."""
    async with tenant_tx(pool, tenant_id) as conn:
        await conn.execute(
            "DELETE FROM social_idempotency WHERE tenant_id = %s AND idempotency_key = %s"
            " AND state = 'pending'",
            (tenant_id, key),
        )


async def record(
    pool: Pool, tenant_id: str, key: str, post: dict[str, Any], result: dict[str, Any]
) -> None:
    """Store a post's outcome (published or scheduled) and make it the key's first result."""
    async with tenant_tx(pool, tenant_id) as conn:
        await conn.execute(
            "INSERT INTO social_posts (post_id, tenant_id, agent_id, platform, text, media_ids,"
            " reply_to_id, disclosure, scheduling, tracking, status, published_at, external_id,"
            " url) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (post_id) DO UPDATE SET status = EXCLUDED.status,"
            " published_at = EXCLUDED.published_at, external_id = EXCLUDED.external_id,"
            " url = EXCLUDED.url",
            (
                result["post_id"],
                tenant_id,
                post["agent_id"],
                post["platform"],
                post["text"],
                post.get("media_ids", []),
                post.get("reply_to_id"),
                Jsonb(post["disclosure"]),
                Jsonb(post["scheduling"]),
                Jsonb(post.get("tracking", {})),
                result["status"],
                result["published_at"],
                result.get("external_id"),
                result.get("url"),
            ),
        )
        await conn.execute(
            "UPDATE social_idempotency SET result = %s, state = 'done'"
            " WHERE tenant_id = %s AND idempotency_key = %s",
            (Jsonb(result), tenant_id, key),
        )


async def defer(
    pool: Pool, tenant_id: str, key: str, post: dict[str, Any], post_id: str, due: datetime
) -> None:
    """Queue (or re-queue) a post in the outbox until `due`."""
    async with tenant_tx(pool, tenant_id) as conn:
        await conn.execute(
            "INSERT INTO social_x_outbox (tenant_id, idempotency_key, post_id, post, due_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (tenant_id, idempotency_key) DO UPDATE"
            " SET due_at = EXCLUDED.due_at, status = 'waiting', attempts ="
            " social_x_outbox.attempts + 1, updated_at = now()",
            (tenant_id, key, post_id, Jsonb(post), due),
        )


async def finish(pool: Pool, tenant_id: str, key: str, error: str | None) -> None:
    """Mark an outbox entry done, or failed with the error that stopped it."""
    async with tenant_tx(pool, tenant_id) as conn:
        await conn.execute(
            "UPDATE social_x_outbox SET status = %s, last_error = %s, updated_at = now()"
            " WHERE tenant_id = %s AND idempotency_key = %s",
            ("failed" if error else "done", error, tenant_id, key),
        )
        if error:
            await conn.execute(
                "UPDATE social_posts SET status = 'failed' WHERE tenant_id = %s AND post_id ="
                " (SELECT post_id FROM social_x_outbox WHERE tenant_id = %s"
                " AND idempotency_key = %s)",
                (tenant_id, tenant_id, key),
            )


async def due(pool: Pool, tenant_id: str, now: datetime) -> list[dict[str, Any]]:
    """Waiting outbox entries whose time has come, oldest first."""
    async with tenant_tx(pool, tenant_id) as conn:
        rows = await (
            await conn.execute(
                "SELECT idempotency_key, post_id, post, attempts FROM social_x_outbox"
                " WHERE status = 'waiting' AND due_at <= %s ORDER BY due_at LIMIT 50",
                (now,),
            )
        ).fetchall()
    return [dict(r) for r in rows]


async def external_id(pool: Pool, tenant_id: str, post_id: str) -> str | None:
    """X's id of one of our posts (replies may name our post id)."""
    async with tenant_tx(pool, tenant_id) as conn:
        row = await (
            await conn.execute(
                "SELECT external_id FROM social_posts WHERE post_id = %s", (post_id,)
            )
        ).fetchone()
    return None if row is None else row["external_id"]


async def owner_of(pool: Pool, tenant_id: str, platform: str, external: str) -> str | None:
    """Which of our posts on `platform` already holds X's post `external`, if any."""
    async with tenant_tx(pool, tenant_id) as conn:
        row = await (
            await conn.execute(
                "SELECT post_id FROM social_posts WHERE platform = %s AND external_id = %s",
                (platform, external),
            )
        ).fetchone()
    return None if row is None else str(row["post_id"])
