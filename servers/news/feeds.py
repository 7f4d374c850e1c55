"""Feed loading: bundled RSS/Atom files plus configured feed URLs or files, via feedparser.

A configured entry is a URL or path, optionally prefixed by `region/topic=` to scope it to one
resource; unscoped entries apply to every resource.
"""

from __future__ import annotations

import asyncio
import calendar
import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import httpx

BUNDLED = Path(__file__).resolve().parent / "feeds"
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


async def load_items(sources: list[str], *, timeout_s: float = 10.0) -> list[dict[str, Any]]:
    """Fetch and parse every source; newest items first."""
    async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=True) as client:

        async def read(source: str) -> list[dict[str, Any]]:
            if source.startswith(("http://", "https://")):
                response = await client.get(source)
                response.raise_for_status()
                raw: bytes = response.content
            else:
                raw = await asyncio.to_thread(Path(source).read_bytes)
            return await asyncio.to_thread(parse_feed, raw, source)

        batches = await asyncio.gather(*(read(s) for s in sources))
    items = [item for batch in batches for item in batch]
    return sorted(items, key=lambda i: i["published"], reverse=True)
