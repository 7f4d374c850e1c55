"""Mentions from X: fetched page by page since the newest one we hold, kept in Postgres.

Postgres is the cache: when the account's mentions window is spent, the resource serves what
it already has instead of failing (perception must not stop a campaign).
"""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Any

from chimera.platform.db import Pool, tenant_tx
from servers.social.errors import NotFound, RateLimited
from servers.social.ratelimit import Limiter
from servers.social.xapi import XApi

log = logging.getLogger(__name__)
MAX_PAGES = 5


def to_rows(page: dict[str, Any]) -> list[dict[str, Any]]:
    """One mentions page as `social_mentions` rows (author handle from `includes.users`)."""
    users = {u["id"]: u.get("username", u["id"]) for u in page.get("includes", {}).get("users", [])}
    rows = []
    for tweet in page.get("data", []):
        replied = [r["id"] for r in tweet.get("referenced_tweets", []) if r["type"] == "replied_to"]
        rows.append(
            {
                "mention_id": tweet["id"],
                "author_handle": "@" + users.get(tweet.get("author_id", ""), "unknown"),
                "text": tweet["text"],
                "in_reply_to_post_id": replied[0] if replied else None,
                "created_at": tweet["created_at"],
            }
        )
    return rows


async def _newest(pool: Pool, tenant_id: str, agent_id: str) -> str | None:
    async with tenant_tx(pool, tenant_id) as conn:
        owns = await (
            await conn.execute("SELECT 1 FROM agents WHERE id = %s", (agent_id,))
        ).fetchone()
        if owns is None:
            raise NotFound(f"agent {agent_id!r} not found")
        row = await (
            await conn.execute(
                "SELECT mention_id FROM social_mentions WHERE agent_id = %s AND source = 'x'"
                " ORDER BY created_at DESC, length(mention_id) DESC, mention_id DESC LIMIT 1",
                (agent_id,),
            )
        ).fetchone()
    return None if row is None else row["mention_id"]


async def _save(pool: Pool, tenant_id: str, agent_id: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    async with tenant_tx(pool, tenant_id) as conn, conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO social_mentions (mention_id, tenant_id, agent_id, platform,"
            " author_handle, text, in_reply_to_post_id, created_at, source)"
            " VALUES (%s, %s, %s, 'twitter', %s, %s, %s, %s, 'x') ON CONFLICT DO NOTHING",
            [
                (
                    r["mention_id"],
                    tenant_id,
                    agent_id,
                    r["author_handle"],
                    r["text"],
                    r["in_reply_to_post_id"],
                    r["created_at"],
                )
                for r in rows
            ],
        )


async def sync(api: XApi, limiter: Limiter, pool: Pool, who: tuple[str, str], user_id: str) -> int:
    """Fetch mentions newer than the newest held, following `meta.next_token`; rows added.

    A spent window stops the sync quietly (what was fetched so far is kept).
    """
    tenant_id, agent_id = who
    since = await _newest(pool, tenant_id, agent_id)
    token: str | None = None
    added = 0
    try:
        for _ in range(MAX_PAGES):
            await limiter.acquire("users:mentions")
            page = await api.mentions_page(user_id, since, token)
            rows = to_rows(page)
            await _save(pool, tenant_id, agent_id, rows)
            added += len(rows)
            token = page.get("meta", {}).get("next_token")
            if not token:
                break
    except RateLimited as exc:
        log.warning("mentions of %s served from cache: %s", agent_id, exc)
    return added


async def cached(pool: Pool, tenant_id: str, agent_id: str, limit: int) -> list[dict[str, Any]]:
    """The agent's X mentions we hold, newest first."""
    async with tenant_tx(pool, tenant_id) as conn:
        rows = await (
            await conn.execute(
                "SELECT mention_id, platform, author_handle, text, in_reply_to_post_id, created_at"
                " FROM social_mentions WHERE agent_id = %s AND source = 'x'"
                " ORDER BY created_at DESC LIMIT %s",
                (agent_id, limit),
            )
        ).fetchall()
    return [
        {**r, "created_at": r["created_at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        for r in rows
    ]
