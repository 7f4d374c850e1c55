"""Reading the world for a run: news and mentions through MCP, with a tenant-scoped Redis cache.

The signals here are cheap keyword counts over feed titles and tags that angle a run's posts;
instruction-like items are skipped. Windowed trend detection (clustering, velocity, recency) is
the `skills.trend_detection_alerting` skill, which the perception loop
(`chimera.runs.perception`) runs to start campaign runs.

Degraded reads never abort a run: each source is read on its own, a failing one becomes a warning
(the run audits it, the report shows it) and the last good copy stands in when one exists.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis

from chimera.mcp.errors import McpCallError
from chimera.mcp.host import CallIdentity, McpHost
from chimera.mcp.subscriptions import ResourceCallback
from chimera.platform.untrusted import normalise, safe_label, strip_links
from chimera.strategies.topics import looks_like_injection
from state.records import Mention, TrendSignal
from state.types import utc_now

log = logging.getLogger(__name__)

MENTIONS_URI = "twitter://mentions/recent"
"""The social server's mentions of the calling agent (subscribable)."""
NEWS_TTL_S = 300
NEWS_STALE_TTL_S = 86_400
"""How long the last good copy of a resource stays usable when the resource is down."""
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


@dataclass
class WorldRead:
    """What a run could read, and a warning for each source it could not (or only stale)."""

    items: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _feeds_digest(feeds: Sequence[str]) -> str:
    """Part of the cache key: a changed feed list is a different cache entry at once."""
    return hashlib.sha256(json.dumps(sorted(feeds)).encode()).hexdigest()[:12]


def news_cache_key(tenant_id: str, uri: str, feeds: Sequence[str] = ()) -> str:
    """The tenant's cache key of a news resource read with these extra feeds."""
    return cache_key(tenant_id, "news", _feeds_digest(feeds), uri)


def _skipped_warnings(uri: str, data: dict[str, Any]) -> list[str]:
    return [f"{uri}: feed {s['source']} skipped ({s['reason']})" for s in data.get("skipped", [])]


async def read_news(
    host: McpHost, cache: aioredis.Redis, uri: str, who: CallIdentity, feeds: Sequence[str] = ()
) -> WorldRead:
    """Items of a news resource, cached per tenant and feed list for a few minutes.

    A fresh copy also refreshes a long-lived stale copy; when the resource cannot be read at all
    the stale copy is used and labelled in the warnings (no copy: no items, and a warning).
    """
    key = news_cache_key(who.tenant_id, uri, feeds)
    cached = await cache.get(key)
    if cached:
        body = json.loads(cached)
        return WorldRead(list(body["items"]), _skipped_warnings(uri, body))
    try:
        data = await host.read_resource("news", uri, who=who)
    except McpCallError as exc:
        log.warning("news resource %s unavailable: %s", uri, exc)
        stale = await cache.get(f"{key}:stale")
        if stale is None:
            return WorldRead([], [f"{uri}: unavailable ({exc}); no cached items"])
        body = json.loads(stale)
        note = f"{uri}: unavailable ({exc}); using stale items cached at {body['at']}"
        return WorldRead(list(body["items"]), [note])
    body = {"items": list(data["items"]), "skipped": data.get("skipped", []), "at": utc_now()}
    for warning in _skipped_warnings(uri, body):
        log.warning("%s", warning)
    await cache.set(key, json.dumps(body), ex=NEWS_TTL_S)
    await cache.set(f"{key}:stale", json.dumps(body), ex=NEWS_STALE_TTL_S)
    return WorldRead(body["items"], _skipped_warnings(uri, body))


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


async def read_mentions(host: McpHost, who: CallIdentity) -> tuple[list[Mention], list[str]]:
    """Recent mentions of the agent, newest first, and a warning when they cannot be read."""
    uri = MENTIONS_URI
    try:
        data = await host.read_resource("social", uri, who=who)
    except McpCallError as exc:
        log.warning("mentions unavailable: %s", exc)
        return [], [f"{uri}: unavailable ({exc}); no replies this run"]
    mentions = [
        Mention.model_validate({k: m[k] for k in Mention.model_fields if k in m})
        for m in data["mentions"]
    ]
    return mentions, []


async def subscribe_mentions(host: McpHost, who: CallIdentity, wake: ResourceCallback) -> bool:
    """Have `wake` called when the agent's mentions change; False (logged) when refused.

    A refused or failed subscription is not fatal: the caller keeps polling.
    """
    try:
        await host.subscribe("social", MENTIONS_URI, who=who, callback=wake)
    except McpCallError as exc:
        log.warning("mentions of %s not subscribed, polling only: %s", who.agent_id, exc)
        return False
    return True
