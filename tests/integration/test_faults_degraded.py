"""Degraded sources: a failing feed is skipped with a warning, the rest proceed (fault battery)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chimera.mcp.host import CallIdentity
from chimera.resources import Services, open_services
from chimera.runs.runner import run_campaign
from chimera.signals.feeds import read_news
from tests.conftest import ETHIOPIA
from tests.support.mcp import WHO_XYZ

pytestmark = pytest.mark.slow

GOOD = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
    "<title>Addis linen capsule drops</title><description>Local designers.</description>"
    "<pubDate>Fri, 06 Feb 2026 09:50:00 GMT</pubDate><guid>good-1</guid></item></channel></rss>"
)


@dataclass
class Feeds:
    """A local feed host: /good, /fail (HTTP 500), /garbage and /hang (never answers)."""

    url: str
    release: threading.Event = field(default_factory=threading.Event)
    broken: set[str] = field(default_factory=set)


@pytest.fixture
def feeds() -> Iterator[Feeds]:
    """Serve the feeds from a thread on a free port; hanging requests are released at the end."""
    state = Feeds(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/hang":
                state.release.wait(60)  # a feed that never answers within any timeout
                return
            if self.path == "/fail" or self.path in state.broken:
                self.send_error(500)
                return
            body = (GOOD if self.path == "/good" else "<<<not a feed at all").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


async def test_failing_garbage_and_hanging_feeds_are_skipped_with_reasons(
    svc: Services, feeds: Feeds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """specs/faults.md §3.1"""
    extra = [f"ethiopia/fashion={feeds.url}/{name}" for name in ("fail", "garbage", "hang")]
    monkeypatch.setenv("CHIMERA_NEWS_FEEDS", json.dumps(extra))
    monkeypatch.setenv("CHIMERA_NEWS_SOURCE_TIMEOUT_S", "2")
    async with open_services(svc.settings, with_host=True) as own:
        data = await own.host.read_resource("news", "news://ethiopia/fashion/trends", who=WHO_XYZ)
    assert data["items"], "the bundled feeds still answer"
    reasons = {s["source"].rsplit("/", 1)[1]: s["reason"] for s in data["skipped"]}
    assert reasons == {
        "fail": "HTTP 500",
        "garbage": "ValueError: not an RSS/Atom feed",
        "hang": "no answer within 2s",
    }


async def test_a_campaign_with_a_dead_feed_completes_with_a_warning_naming_it(
    svc: Services, feeds: Feeds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """specs/faults.md §3.1, §3.2"""
    dead = f"{feeds.url}/fail"
    monkeypatch.setenv("CHIMERA_NEWS_FEEDS", json.dumps([f"ethiopia/fashion={dead}"]))
    settings = svc.settings.model_copy(update={"news_feeds": [f"ethiopia/fashion={dead}"]})
    campaign = f"cmp-dead-feed-{uuid.uuid4().hex[:6]}"
    async with open_services(settings) as own:
        summary = await run_campaign(
            own, agent_id=ETHIOPIA, goal="Promote the linen capsule.", campaign_id=campaign
        )
    assert summary.state in {"paused", "done"} and summary.tasks
    assert any(dead in w and "HTTP 500" in w for w in summary.warnings), summary.warnings


async def test_an_unavailable_resource_falls_back_to_its_labelled_stale_copy(
    svc: Services, feeds: Feeds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """specs/faults.md §3.3"""
    only = [f"mars/fashion={feeds.url}/good"]
    monkeypatch.setenv("CHIMERA_NEWS_FEEDS", json.dumps(only))
    settings = svc.settings.model_copy(update={"news_feeds": only, "mcp_retries": 0})
    who = CallIdentity("tenant-xyz", ETHIOPIA, f"stale-{uuid.uuid4().hex[:6]}")
    uri = "news://mars/fashion/trends"
    async with open_services(settings) as own:
        fresh = await read_news(own.host, own.redis, uri, who, only)
        assert [i["title"] for i in fresh.items] == ["Addis linen capsule drops"]
        assert fresh.warnings == []
        other = await read_news(own.host, own.redis, uri, who, [*only, "x"])
        assert other.warnings == [] and other.items == fresh.items, "a new feed list re-reads"
        feeds.broken.add("/good")
        keys = [k async for k in own.redis.scan_iter("chimera:tenant-xyz:news:*mars*")]
        await own.redis.delete(*[k for k in keys if not k.endswith(":stale")])
        stale = await read_news(own.host, own.redis, uri, who, only)
    assert stale.items == fresh.items
    assert len(stale.warnings) == 1 and "using stale items cached at" in stale.warnings[0]
    assert "every feed failed" in stale.warnings[0]
