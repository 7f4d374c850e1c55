"""Feed loading: bundled RSS/Atom files plus configured feed URLs or files, via feedparser.

A configured entry is a URL or path, optionally prefixed by `region/topic=` to scope it to one
resource; unscoped entries apply to every resource. Each source is read on its own timeout and a
failing one is skipped with its reason, so one dead feed never hides the others.
"""

from __future__ import annotations

import asyncio
import calendar
import html
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import httpx

BUNDLED = Path(__file__).resolve().parent / "feeds"
log = logging.getLogger(__name__)
_TAG = re.compile(r"<[^>]+>")
_SCOPE = re.compile(r"^(?P<region>[a-z0-9-]+)/(?P<topic>[a-z0-9-]+)=(?P<source>.+)$")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", text or ""))).strip()


def _timestamp(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat().replace("+00:00", "Z")


def parse_feed(raw: bytes | str, source: str) -> list[dict[str, Any]]:
    """Parse one RSS/Atom document into plain items; entries without a date are dropped."""
    parsed = feedparser.parse(raw)
    items = []
    for entry in parsed.entries:
        published = _timestamp(entry)
        if published is None:
            continue
        items.append(
            {
                "id": entry.get("id") or entry.get("link") or entry.get("title", ""),
                "title": _clean(entry.get("title", "")),
                "summary": _clean(entry.get("summary", "")),
                "link": entry.get("link", ""),
                "published": published,
                "tags": [t.get("term", "") for t in entry.get("tags", []) if t.get("term")],
                "source": source,
            }
        )
    return items


def sources_for(region: str, topic: str, configured: list[str]) -> list[str]:
    """Bundled files of `region/topic` plus configured sources that apply to it."""
    folder = BUNDLED / region / topic
    found = [str(p) for p in sorted(folder.glob("*")) if p.suffix in {".xml", ".atom", ".rss"}]
    for entry in configured:
        match = _SCOPE.match(entry)
        if match is None:
            found.append(entry)
        elif (match["region"], match["topic"]) == (region, topic):
            found.append(match["source"])
    return found


@dataclass
class Loaded:
    """Items of every source that answered, and why each other source was skipped."""

    items: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


def _reason(exc: BaseException, timeout_s: float) -> str:
    """A non-empty, one-line reason (a timeout's own message is empty)."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return f"no answer within {timeout_s:g}s"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


async def _read(client: httpx.AsyncClient, source: str) -> list[dict[str, Any]]:
    """Fetch and parse one source.

    Raises:
        ValueError: the document is not an RSS/Atom feed.

    """
    if source.startswith(("http://", "https://")):
        response = await client.get(source)
        response.raise_for_status()
        raw: bytes = response.content
    else:
        raw = await asyncio.to_thread(Path(source).read_bytes)
    parsed = await asyncio.to_thread(feedparser.parse, raw)
    if parsed.get("bozo") and not parsed.entries and not parsed.get("version"):
        raise ValueError("not an RSS/Atom feed")
    return await asyncio.to_thread(parse_feed, raw, source)


async def load_items(sources: list[str], *, timeout_s: float = 8.0) -> Loaded:
    """Fetch and parse every source, each isolated under its own timeout; newest items first.

    A source that fails, hangs or answers garbage is skipped (logged, with its reason); the
    others proceed.
    """
    loaded = Loaded()
    async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=True) as client:

        async def one(source: str) -> list[dict[str, Any]]:
            try:
                return await asyncio.wait_for(_read(client, source), timeout_s)
            except (TimeoutError, httpx.HTTPError, OSError, ValueError) as exc:
                reason = _reason(exc, timeout_s)
                log.warning("news source skipped: %s (%s)", source, reason)
                loaded.skipped.append({"source": source, "reason": reason})
                return []

        batches = await asyncio.gather(*(one(s) for s in sources))
    items = [item for batch in batches for item in batch]
    loaded.items = sorted(items, key=lambda i: i["published"], reverse=True)
    return loaded
