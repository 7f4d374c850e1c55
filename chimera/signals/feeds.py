"""Reading the world for a run: news and mentions through MCP, with a tenant-scoped Redis cache.

The signals here are cheap keyword counts over feed titles and tags that angle a run's posts;
instruction-like items are skipped. Windowed trend detection (clustering, velocity, recency) is
the `skills.trend_detection_alerting` skill, which the perception loop
(`chimera.runs.perception`) runs to start campaign runs.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import redis.asyncio as aioredis

from chimera.mcp.host import CallIdentity, McpHost
from chimera.platform.untrusted import normalise, safe_label, strip_links
from chimera.strategies.topics import looks_like_injection
from state.records import Mention, TrendSignal

NEWS_TTL_S = 300
_WORD = re.compile(r"[a-z][a-z-]{3,}")
_STOP = frozenset(
    [
        "with",
        "from",
        "that",
        "this",
        "their",
        "your",
        "have",
        "into",
        "about",
        "over",
        "more",
        "most",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "than",
        "they",
        "them",
        "then",
        "also",
        "just",
        "new",
        "news",
    ]
)


def cache_key(tenant_id: str, *parts: str) -> str:
    """A Redis key in the tenant's namespace."""
    return ":".join(["chimera", tenant_id, *parts])


async def read_news(
    host: McpHost, cache: aioredis.Redis, uri: str, who: CallIdentity
) -> list[dict[str, Any]]:
    """Items of a news resource, cached per tenant for a few minutes."""
    key = cache_key(who.tenant_id, "news", uri)
    cached = await cache.get(key)
    if cached:
        return list(json.loads(cached))
    data = await host.read_resource("news", uri, who=who)
    items = list(data["items"])
    await cache.set(key, json.dumps(items), ex=NEWS_TTL_S)
    return items


def trend_signals(items: list[dict[str, Any]], limit: int = 5) -> list[TrendSignal]:
    """The most frequent keywords of titles and tags, with a headline for each."""
    counts: Counter[str] = Counter()
    headline: dict[str, str] = {}
    for item in items:
        title = normalise(item["title"])
        tags = [str(t) for t in item.get("tags", [])]
        if looks_like_injection(" ".join([title, item.get("summary", ""), *tags])):
            continue  # untrusted text that tries to steer the agent is never an angle
        words = set(_WORD.findall(strip_links(title).lower()))
        words |= {label for t in tags if (label := safe_label(t))}
        for word in words - _STOP:
            counts[word] += 1
            headline.setdefault(word, strip_links(title))
    return [
        TrendSignal(keyword=w, count=c, headline=headline[w][:500])
        for w, c in counts.most_common(limit)
    ]


async def read_mentions(host: McpHost, who: CallIdentity) -> list[Mention]:
    """Recent mentions of the agent, newest first."""
    data = await host.read_resource("social", "twitter://mentions/recent", who=who)
    return [
        Mention.model_validate({k: m[k] for k in Mention.model_fields}) for m in data["mentions"]
    ]
