"""The sandbox platform's storage: idempotent publishing and seeded mentions, tenant-scoped.

Every write claims its idempotency key first (`INSERT ... ON CONFLICT DO NOTHING`), so two
concurrent calls with one key serialise on the key: the second returns the first result, or a
conflict when its payload differs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from chimera.platform.db import Conn, Pool, tenant_tx
from servers.runtime import Conflict, InvalidArgument, NotFound, payload_hash

MENTIONS = Path(__file__).resolve().parent / "mentions"
PLATFORM_LIMITS = {"twitter": 280, "x": 280, "tiktok": 2200, "instagram": 2200}


def post_id_for(tenant_id: str, key: str) -> str:
    """Our stable id of the post published under `(tenant_id, key)`."""
    return "post-" + hashlib.sha256(f"{tenant_id}:{key}".encode()).hexdigest()[:16]


async def recorded_key(conn: Conn, tenant_id: str, key: str, digest: str) -> DictRow:
    """The row an earlier call with `key` left (payload_hash, result, state).

    Raises:
        Conflict: the key was used with another payload.

    """
    row = await (
        await conn.execute(
            "SELECT payload_hash, result, state FROM social_idempotency"
            " WHERE tenant_id = %s AND idempotency_key = %s",
            (tenant_id, key),
        )
    ).fetchone()
    assert row is not None
    if row["payload_hash"] != digest:
        raise Conflict(f"idempotency key {key!r} was used with a different payload")
    return row


async def publish(
    pool: Pool,
    tenant_id: str,
    key: str,
    tool: str,
    post: dict[str, Any],
    *,
    latency_s: float = 0.0,
) -> dict[str, Any]:
    """Publish `post` once per `(tenant_id, key)`; a repeat returns the first result.

    `latency_s` simulates a real platform's response time (the sandbox answers instantly).
    """
    if latency_s:
        await asyncio.sleep(latency_s)
    limit = PLATFORM_LIMITS.get(post["platform"], 5000)
    if len(post["text"]) > limit:
        raise InvalidArgument(
            f"text is {len(post['text'])} chars; {post['platform']} allows {limit}"
        )
    digest = payload_hash({"tool": tool, **post})
    async with tenant_tx(pool, tenant_id) as conn:
        claimed = await conn.execute(
            "INSERT INTO social_idempotency"
            " (tenant_id, idempotency_key, tool, payload_hash, result)"
            " VALUES (%s, %s, %s, %s, '{}') ON CONFLICT DO NOTHING RETURNING 1",
            (tenant_id, key, tool, digest),
        )
        if await claimed.fetchone() is None:
            row = await recorded_key(conn, tenant_id, key, digest)
            return {**row["result"], "duplicate": True}
        result = await _insert_post(conn, tenant_id, key, post)
        await conn.execute(
            "UPDATE social_idempotency SET result = %s"
            " WHERE tenant_id = %s AND idempotency_key = %s",
            (Jsonb(result), tenant_id, key),
        )
    return {**result, "duplicate": False}


async def _insert_post(conn: Any, tenant_id: str, key: str, post: dict[str, Any]) -> dict[str, Any]:
    scheduling = post["scheduling"]
    scheduled = scheduling["mode"] == "scheduled"
    now = datetime.now(UTC)
    published_at = None if scheduled else now
    post_id = post_id_for(tenant_id, key)
    await conn.execute(
        "INSERT INTO social_posts (post_id, tenant_id, agent_id, platform, text, media_ids,"
        " reply_to_id, disclosure, scheduling, tracking, status, published_at, publish_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            post_id,
            tenant_id,
            post["agent_id"],
            post["platform"],
            post["text"],
            post.get("media_ids", []),
            post.get("reply_to_id"),
            Jsonb(post["disclosure"]),
            Jsonb(scheduling),
            Jsonb(post.get("tracking", {})),
            "scheduled" if scheduled else "published",
            published_at,
            scheduling.get("publish_at") if scheduled else None,
        ),
    )
    return {
        "post_id": post_id,
        "platform": post["platform"],
        "status": "scheduled" if scheduled else "published",
        "published_at": published_at.isoformat().replace("+00:00", "Z") if published_at else None,
        "publish_at": scheduling.get("publish_at"),
        "url": f"sandbox://{post['platform']}/{post['agent_id']}/{post_id}",
    }


async def _seed_sample(conn: Any, tenant_id: str, agent_id: str) -> None:
    """Seed the bundled sample mentions of an agent the first time they are read."""
    seeded = await (
        await conn.execute("SELECT 1 FROM social_mentions WHERE agent_id = %s LIMIT 1", (agent_id,))
    ).fetchone()
    sample = MENTIONS / f"{agent_id}.json"
    if seeded is not None or not sample.exists():
        return
    mentions = json.loads(await asyncio.to_thread(sample.read_text))
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO social_mentions (mention_id, tenant_id, agent_id, platform,"
            " author_handle, text, in_reply_to_post_id, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [
                (
                    m["mention_id"],
                    tenant_id,
                    agent_id,
                    m["platform"],
                    m["author_handle"],
                    m["text"],
                    m.get("in_reply_to_post_id"),
                    m["created_at"],
                )
                for m in mentions
            ],
        )


async def recent_mentions(
    pool: Pool, tenant_id: str, agent_id: str, limit: int = 20
) -> list[dict[str, Any]]:
    """Mentions of the agent, newest first; the bundled sample is seeded on first read.

    `answered` says the agent's account already replied to the mention on the platform, by
    whatever means (Chimera's own replies are in its ledger; others were answered elsewhere).
    """
    async with tenant_tx(pool, tenant_id) as conn:
        owns = await (
            await conn.execute("SELECT 1 FROM agents WHERE id = %s", (agent_id,))
        ).fetchone()
        if owns is None:
            raise NotFound(f"agent {agent_id!r} not found")
        await _seed_sample(conn, tenant_id, agent_id)
        rows = await (
            await conn.execute(
                "SELECT m.mention_id, m.platform, m.author_handle, m.text,"
                " m.in_reply_to_post_id, m.created_at, EXISTS (SELECT 1 FROM social_posts p"
                "  WHERE p.agent_id = m.agent_id AND p.reply_to_id = m.mention_id) AS answered"
                " FROM social_mentions m WHERE m.agent_id = %s"
                " ORDER BY m.created_at DESC LIMIT %s",
                (agent_id, limit),
            )
        ).fetchall()
    return [
        {**r, "created_at": r["created_at"].astimezone(UTC).isoformat().replace("+00:00", "Z")}
        for r in rows
    ]


async def receive_mention(
    pool: Pool, tenant_id: str, agent_id: str, mention: dict[str, Any]
) -> bool:
    """Store a mention the sandbox platform received; False when its id is already stored.

    Storing it notifies the agent's subscribers (the trigger of migration 0005).

    Raises:
        NotFound: the agent is not the tenant's.
        Conflict: the mention id is already another mention's.

    """
    async with tenant_tx(pool, tenant_id) as conn:
        owns = await (
            await conn.execute("SELECT 1 FROM agents WHERE id = %s", (agent_id,))
        ).fetchone()
        if owns is None:
            raise NotFound(f"agent {agent_id!r} not found")
        stored = await conn.execute(
            "INSERT INTO social_mentions (mention_id, tenant_id, agent_id, platform,"
            " author_handle, text, in_reply_to_post_id, created_at)"
            " VALUES (%(mention_id)s, %(tenant)s, %(agent)s, %(platform)s, %(author_handle)s,"
            " %(text)s, %(in_reply_to_post_id)s, coalesce(%(created_at)s, now()))"
            " ON CONFLICT DO NOTHING RETURNING 1",
            {**mention, "tenant": tenant_id, "agent": agent_id},
        )
        if await stored.fetchone() is not None:
            return True
        same = await (
            await conn.execute(
                "SELECT 1 FROM social_mentions WHERE mention_id = %s AND agent_id = %s"
                " AND text = %s",
                (mention["mention_id"], agent_id, mention["text"]),
            )
        ).fetchone()
    if same is None:
        raise Conflict(f"mention id {mention['mention_id']!r} is already another mention's")
    return False
