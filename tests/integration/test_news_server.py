"""The news MCP server's resources through the real host over stdio (specs/technical.md §4.2)."""

from __future__ import annotations

import pytest

from chimera.mcp.errors import ToolNotFound
from chimera.platform.settings import REPO_ROOT
from chimera.resources import Services
from tests.support.mcp import UTC_Z, WHO_XYZ

BUNDLED_NEWS = REPO_ROOT / "servers" / "news" / "feeds" / "ethiopia" / "fashion"


async def test_the_news_resource_returns_the_bundled_items_newest_first_in_utc_z(
    svc: Services,
) -> None:
    """specs/technical.md §4.2"""
    data = await svc.host.read_resource("news", "news://ethiopia/fashion/trends", who=WHO_XYZ)
    items = data["items"]
    bundled = sum(
        p.read_text().count("<item>") + p.read_text().count("<entry>")
        for p in BUNDLED_NEWS.iterdir()
    )
    assert bundled > 0 and len(items) == bundled
    for item in items:
        assert set(item) >= {"id", "title", "summary", "link", "published", "tags", "source"}
        assert UTC_Z.match(item["published"]), item["published"]
        assert item["source"].startswith(str(BUNDLED_NEWS))
    published = [i["published"] for i in items]
    assert published == sorted(published, reverse=True)
    window = [p for p in published if "2026-02-06T06:00:00Z" <= p <= "2026-02-06T10:00:00Z"]
    assert window, "the bundled sample covers the 4 h before 2026-02-06T10:00:00Z"


async def test_an_unknown_news_resource_is_not_found(svc: Services) -> None:
    """specs/technical.md §4.1, §4.2"""
    with pytest.raises(ToolNotFound):
        await svc.host.read_resource("news", "news://mars/fashion/trends", who=WHO_XYZ)
