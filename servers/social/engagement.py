"""Engagement snapshots of sandbox posts: simulated deterministically from the post's features.

A real platform reports views, likes, comments and shares as a post ages; the sandbox derives
the same numbers from a hash of the post id plus what it contains (media attached, hashtags,
caption length, platform), so tests and the planner's feedback loop are reproducible. Snapshots
are stored once per post and age; reading them again returns the stored rows.
"""

from __future__ import annotations

import hashlib
from typing import Any

from chimera.platform.db import Pool, tenant_tx
from servers.runtime import NotFound

AGES_H = (1, 6, 24)
_SHARE_OF_FINAL = {1: 0.2, 6: 0.6, 24: 1.0}
_PLATFORM = {"tiktok": 1.5, "instagram": 1.2}


def simulate(post: dict[str, Any], age_hours: int) -> dict[str, Any]:
    """The snapshot of `post` at `age_hours` (same post, same numbers)."""
    luck = int(hashlib.sha256(post["post_id"].encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    media = len(post.get("media_ids") or [])
    hashtags = post["text"].count("#")
    views_final = (500 + 4500 * luck) * (1 + 0.6 * media) * _PLATFORM.get(post["platform"], 1.0)
    rate = (0.03 + 0.05 * luck) * (1 + 0.05 * min(hashtags, 5)) * (1.3 if media else 1.0)
    rate *= 1.0 if len(post["text"]) <= 220 else 0.85
    views = int(views_final * _SHARE_OF_FINAL[age_hours])
    interactions = views * rate
    return {
        "age_hours": age_hours,
        "views": views,
        "likes": int(interactions * 0.8),
        "comments": int(interactions * 0.15),
        "shares": int(interactions * 0.05),
        "engagement_rate": round(rate, 5),
    }


async def snapshots(pool: Pool, tenant_id: str, post_id: str) -> list[dict[str, Any]]:
    """Stored snapshots of a post of the tenant, capturing the simulated ones on first read."""
    async with tenant_tx(pool, tenant_id) as conn:
        post = await (
            await conn.execute(
                "SELECT post_id, agent_id, platform, text, media_ids FROM social_posts"
                " WHERE post_id = %s",
                (post_id,),
            )
        ).fetchone()
        if post is None:
            raise NotFound(f"post {post_id!r} not found")
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO social_engagement (tenant_id, post_id, agent_id, age_hours, views,"
                " likes, comments, shares, engagement_rate) VALUES (%(t)s, %(p)s, %(a)s,"
                " %(age_hours)s, %(views)s, %(likes)s, %(comments)s, %(shares)s,"
                " %(engagement_rate)s) ON CONFLICT DO NOTHING",
                [
                    {"t": tenant_id, "p": post_id, "a": post["agent_id"], **simulate(post, age)}
                    for age in AGES_H
                ],
            )
        rows = await (
            await conn.execute(
                "SELECT age_hours, views, likes, comments, shares, engagement_rate"
                " FROM social_engagement WHERE post_id = %s ORDER BY age_hours",
                (post_id,),
            )
        ).fetchall()
    return [dict(r) for r in rows]


async def agent_report(
    pool: Pool, tenant_id: str, agent_id: str, limit: int = 20
) -> list[dict[str, Any]]:
    """The agent's recent posts with their latest engagement, best first."""
    async with tenant_tx(pool, tenant_id) as conn:
        posts = await (
            await conn.execute(
                "SELECT post_id FROM social_posts WHERE agent_id = %s AND reply_to_id IS NULL"
                " ORDER BY created_at DESC LIMIT %s",
                (agent_id, limit),
            )
        ).fetchall()
    out = []
    for row in posts:
        latest = (await snapshots(pool, tenant_id, row["post_id"]))[-1]
        out.append({"post_id": row["post_id"], **latest})
    return sorted(out, key=lambda r: (-r["engagement_rate"], r["post_id"]))
