"""The news MCP server: `news://{region}/{topic}/trends` returns parsed feed items as JSON.

Feeds that failed are listed under `skipped` with their reasons; only when every feed failed is
the read an error (transient: the host may retry, the caller may fall back to cached items).
"""

import json
import re

from mcp.server.fastmcp import Context, FastMCP

from chimera.platform.settings import Settings
from servers.news.feeds import load_items, sources_for
from servers.runtime import InvalidArgument, NotFound, Transient, caller, serve

mcp = FastMCP(
    "news",
    instructions="Niche news items from RSS/Atom feeds, per region and topic.",
    log_level="WARNING",
)
_SLUG = re.compile(r"^[a-z0-9-]{2,40}$")


@mcp.resource(
    "news://{region}/{topic}/trends",
    mime_type="application/json",
    description="Recent news items of a region and topic, newest first.",
)
async def trends(region: str, topic: str, ctx: Context) -> str:
    """Items of every feed configured for the region and topic."""
    caller(ctx)
    if not (_SLUG.match(region) and _SLUG.match(topic)):
        raise InvalidArgument("region and topic must be lowercase slugs")
    settings = Settings()
    sources = sources_for(region, topic, settings.news_feeds)
    if not sources:
        raise NotFound(f"no feeds configured for news://{region}/{topic}/trends")
    loaded = await load_items(sources, timeout_s=settings.news_source_timeout_s)
    if len(loaded.skipped) == len(sources):
        reasons = "; ".join(f"{s['source']}: {s['reason']}" for s in loaded.skipped)
        raise Transient(f"every feed failed: {reasons}")
    return json.dumps(
        {"region": region, "topic": topic, "items": loaded.items, "skipped": loaded.skipped}
    )


def main() -> None:
    """Run standalone."""
    serve(mcp)
