"""The news and social MCP servers through the real host (stdio) and standalone (HTTP).

See specs/technical.md §4 (host, news, social, idempotency) and §2.5 (post_content).

Every write is checked against what the sandbox platform really stored, read back under the
tenant's row-level security; every refusal is checked to be the typed error the host promises.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from chimera.app import Services
from chimera.db import tenant_tx
from chimera.mcp_errors import (
    InvalidToolArguments,
    ToolConflict,
    ToolNotAllowed,
    ToolNotFound,
    TransientToolError,
)
from chimera.mcp_host import CallIdentity, McpHost
from chimera.settings import REPO_ROOT
from tests.conftest import ETHIOPIA, LAGOS

XYZ = "tenant-xyz"
ABC = "tenant-abc"
WHO_XYZ = CallIdentity(tenant_id=XYZ, agent_id=ETHIOPIA, run_id="run-mcp-tests")
WHO_ABC = CallIdentity(tenant_id=ABC, agent_id=LAGOS, run_id="run-mcp-tests")
UTC_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
BUNDLED_NEWS = REPO_ROOT / "servers" / "news" / "feeds" / "ethiopia" / "fashion"


def new_key() -> str:
    """An idempotency key no other test uses."""
    return f"test-{uuid.uuid4().hex}"


def post_payload(
    key: str, text: str = "Summer drop is live in Addis #AIcreator", **over: Any
) -> dict[str, Any]:
    """A post_content payload shaped as specs/technical.md §2.5."""
    payload: dict[str, Any] = {
        "platform": "tiktok",
        "tenant_id": XYZ,
        "agent_id": ETHIOPIA,
        "idempotency_key": key,
        "content": {"text": text, "media_ids": [], "reply_to_id": None},
        "disclosure": {"ai_generated": True, "sponsor": None, "compliance_tags": ["eu_ai_act"]},
        "scheduling": {"mode": "immediate"},
        "tracking": {
            "campaign_id": "cmp-mcp-tests",
            "task_id": f"task-{key[-8:]}",
            "source": "chimera_orchestrator",
        },
    }
    payload.update(over)
    return payload


async def rows_for(svc: Services, tenant_id: str, post_id: str) -> list[dict[str, Any]]:
    """The sandbox platform's rows for a post id, as the tenant sees them."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        rows = await (
            await conn.execute(
                "SELECT post_id, tenant_id, agent_id, platform, text, reply_to_id, status,"
                " disclosure, tracking FROM social_posts WHERE post_id = %s",
                (post_id,),
            )
        ).fetchall()
    return [dict(r) for r in rows]


async def idempotency_rows(svc: Services, tenant_id: str, key: str) -> int:
    """How many idempotency records the server holds for a key."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        row = await (
            await conn.execute(
                "SELECT count(*) AS n FROM social_idempotency WHERE idempotency_key = %s", (key,)
            )
        ).fetchone()
    assert row is not None
    return int(row["n"])


# --- post_content


async def test_post_content_publishes_and_returns_post_id_status_and_url(svc: Services) -> None:
    """specs/technical.md §2.5"""
    key = new_key()
    result = await svc.host.call_tool("social", "post_content", post_payload(key), who=WHO_XYZ)
    assert result["post_id"].startswith("post-")
    assert result["status"] == "published"
    assert result["platform"] == "tiktok"
    assert result["url"].endswith(result["post_id"])
    assert UTC_Z.match(result["published_at"])
    assert result["duplicate"] is False
    rows = await rows_for(svc, XYZ, result["post_id"])
    assert len(rows) == 1
    assert rows[0]["text"] == "Summer drop is live in Addis #AIcreator"
    assert rows[0]["disclosure"]["ai_generated"] is True
    assert rows[0]["tracking"]["campaign_id"] == "cmp-mcp-tests"


async def test_repeating_a_key_with_the_same_payload_returns_the_first_post_and_stores_one_row(
    svc: Services,
) -> None:
    """specs/technical.md §4.4"""
    key = new_key()
    first = await svc.host.call_tool("social", "post_content", post_payload(key), who=WHO_XYZ)
    again = await svc.host.call_tool("social", "post_content", post_payload(key), who=WHO_XYZ)
    assert again["post_id"] == first["post_id"]
    assert again["duplicate"] is True
    assert first["duplicate"] is False
    assert len(await rows_for(svc, XYZ, first["post_id"])) == 1


async def test_repeating_a_key_with_a_different_text_is_a_conflict(svc: Services) -> None:
    """specs/technical.md §4.4"""
    key = new_key()
    first = await svc.host.call_tool("social", "post_content", post_payload(key), who=WHO_XYZ)
    with pytest.raises(ToolConflict):
        await svc.host.call_tool(
            "social", "post_content", post_payload(key, text="A different caption"), who=WHO_XYZ
        )
    rows = await rows_for(svc, XYZ, first["post_id"])
    assert [r["text"] for r in rows] == ["Summer drop is live in Addis #AIcreator"]


async def test_a_payload_naming_another_tenant_than_the_caller_is_refused(svc: Services) -> None:
    """specs/technical.md §4.1"""
    key = new_key()
    with pytest.raises(InvalidToolArguments, match="tenant"):
        await svc.host.call_tool(
            "social", "post_content", post_payload(key, tenant_id=ABC), who=WHO_XYZ
        )
    assert await idempotency_rows(svc, ABC, key) == 0
    assert await idempotency_rows(svc, XYZ, key) == 0


async def test_text_over_the_twitter_limit_is_refused(svc: Services) -> None:
    """specs/technical.md §5.4"""
    key = new_key()
    with pytest.raises(InvalidToolArguments, match="280"):
        await svc.host.call_tool(
            "social",
            "post_content",
            post_payload(key, text="x" * 281, platform="twitter"),
            who=WHO_XYZ,
        )
    assert await idempotency_rows(svc, XYZ, key) == 0


async def test_content_without_ai_disclosure_is_refused(svc: Services) -> None:
    """specs/technical.md §2.5"""
    key = new_key()
    payload = post_payload(key, disclosure={"ai_generated": False})
    with pytest.raises(InvalidToolArguments, match="ai_generated"):
        await svc.host.call_tool("social", "post_content", payload, who=WHO_XYZ)
    assert await idempotency_rows(svc, XYZ, key) == 0


async def test_scheduled_content_without_publish_at_is_refused(svc: Services) -> None:
    """specs/technical.md §2.5"""
    key = new_key()
    payload = post_payload(key, scheduling={"mode": "scheduled"})
    with pytest.raises(InvalidToolArguments, match="publish_at"):
        await svc.host.call_tool("social", "post_content", payload, who=WHO_XYZ)
    assert await idempotency_rows(svc, XYZ, key) == 0


async def test_scheduled_content_with_publish_at_is_stored_as_scheduled(svc: Services) -> None:
    """specs/technical.md §2.5"""
    key = new_key()
    payload = post_payload(
        key, scheduling={"mode": "scheduled", "publish_at": "2026-12-01T09:00:00Z"}
    )
    result = await svc.host.call_tool("social", "post_content", payload, who=WHO_XYZ)
    assert result["status"] == "scheduled"
    assert result["publish_at"] == "2026-12-01T09:00:00Z"
    assert [r["status"] for r in await rows_for(svc, XYZ, result["post_id"])] == ["scheduled"]


async def test_a_tool_off_the_allow_list_is_refused_by_the_host(svc: Services) -> None:
    """specs/technical.md §4.1"""
    with pytest.raises(ToolNotAllowed):
        await svc.host.call_tool("social", "delete_everything", {"tenant_id": XYZ}, who=WHO_XYZ)
    with pytest.raises(ToolNotAllowed):
        await svc.host.call_tool("news", "post_content", post_payload(new_key()), who=WHO_XYZ)


async def test_a_tool_off_the_allow_list_is_refused_before_any_session_is_used() -> None:
    """specs/technical.md §4.1"""
    # No session is open: reaching for one would raise ServerUnavailable, not ToolNotAllowed.
    host = McpHost({}, allow={"social": frozenset({"post_tweet"})})
    with pytest.raises(ToolNotAllowed):
        await host.call_tool("social", "post_content", post_payload(new_key()), who=WHO_XYZ)


async def test_twenty_concurrent_calls_with_one_key_publish_exactly_once(svc: Services) -> None:
    """specs/technical.md §4.4"""
    key = new_key()
    results = await asyncio.gather(
        *(
            svc.host.call_tool("social", "post_content", post_payload(key), who=WHO_XYZ)
            for _ in range(20)
        )
    )
    assert len({r["post_id"] for r in results}) == 1
    assert sum(not r["duplicate"] for r in results) == 1
    assert len(await rows_for(svc, XYZ, results[0]["post_id"])) == 1
    assert await idempotency_rows(svc, XYZ, key) == 1


# --- post_tweet / reply_to_tweet


async def test_post_tweet_publishes_once_per_idempotency_key(svc: Services) -> None:
    """specs/technical.md §4.3, §4.4"""
    key = new_key()
    args = {
        "tenant_id": ABC,
        "agent_id": LAGOS,
        "text": "Budget 5G phones, tested. #AIcreator",
        "idempotency_key": key,
    }
    first = await svc.host.call_tool("social", "post_tweet", args, who=WHO_ABC)
    again = await svc.host.call_tool("social", "post_tweet", args, who=WHO_ABC)
    assert again["post_id"] == first["post_id"] and again["duplicate"] is True
    rows = await rows_for(svc, ABC, first["post_id"])
    assert len(rows) == 1
    assert rows[0]["platform"] == "twitter" and rows[0]["reply_to_id"] is None
    with pytest.raises(ToolConflict):
        await svc.host.call_tool("social", "post_tweet", {**args, "text": "Other"}, who=WHO_ABC)


async def test_reply_to_tweet_replies_once_per_idempotency_key(svc: Services) -> None:
    """specs/technical.md §4.3, §4.4"""
    key = new_key()
    args = {
        "tenant_id": ABC,
        "agent_id": LAGOS,
        "tweet_id": "mention-ng-001",
        "text": "The one with the best band support, full review soon.",
        "idempotency_key": key,
    }
    first = await svc.host.call_tool("social", "reply_to_tweet", args, who=WHO_ABC)
    again = await svc.host.call_tool("social", "reply_to_tweet", args, who=WHO_ABC)
    assert again["post_id"] == first["post_id"] and again["duplicate"] is True
    rows = await rows_for(svc, ABC, first["post_id"])
    assert len(rows) == 1 and rows[0]["reply_to_id"] == "mention-ng-001"
    with pytest.raises(ToolConflict):
        await svc.host.call_tool(
            "social", "reply_to_tweet", {**args, "tweet_id": "mention-ng-002"}, who=WHO_ABC
        )


async def test_a_tweet_over_280_characters_is_refused(svc: Services) -> None:
    """specs/technical.md §4.3, §5.4"""
    key = new_key()
    args = {"tenant_id": ABC, "agent_id": LAGOS, "text": "y" * 281, "idempotency_key": key}
    with pytest.raises(InvalidToolArguments):
        await svc.host.call_tool("social", "post_tweet", args, who=WHO_ABC)
    assert await idempotency_rows(svc, ABC, key) == 0


# --- resources


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


async def test_mentions_are_the_callers_bundled_mentions_newest_first(svc: Services) -> None:
    """specs/technical.md §4.3"""
    import json

    data = await svc.host.read_resource("social", "twitter://mentions/recent", who=WHO_XYZ)
    bundled = json.loads(
        (REPO_ROOT / "servers" / "social" / "mentions" / f"{ETHIOPIA}.json").read_text()
    )
    mentions = data["mentions"]
    assert data["agent_id"] == ETHIOPIA
    assert {m["mention_id"] for m in mentions} == {m["mention_id"] for m in bundled}
    stamps = [m["created_at"] for m in mentions]
    assert stamps == sorted(stamps, reverse=True)
    assert all(UTC_Z.match(s) for s in stamps)


async def test_another_tenants_agent_mentions_are_not_found(svc: Services) -> None:
    """specs/technical.md §4.3, specs/_meta.md §2.6"""
    intruder = CallIdentity(tenant_id=ABC, agent_id=ETHIOPIA, run_id="run-mcp-tests")
    with pytest.raises(ToolNotFound):
        await svc.host.read_resource("social", "twitter://mentions/recent", who=intruder)


# --- standalone server and host retries


async def _poll(check: Callable[[], Awaitable[bool]], deadline_s: float, what: str) -> None:
    """Wait until `check()` is true, failing after `deadline_s`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_the_news_server_runs_standalone_over_streamable_http(svc: Services) -> None:
    """specs/technical.md §4.1, §4.2"""
    env = {
        **os.environ,
        "CHIMERA_HOME": str(svc.settings.home),
        "CHIMERA_POSTGRES_URI": svc.endpoints.pg_admin,
        "CHIMERA_REDIS_URI": svc.endpoints.redis,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "servers.news",
        "--transport",
        "streamable-http",
        "--port",
        "0",
        cwd=str(REPO_ROOT),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=60)).decode()
        match = re.search(r"serving news on (http://127\.0\.0\.1:(\d+)/mcp)", line)
        assert match, f"unexpected first line: {line!r}"
        url, port = match[1], int(match[2])

        async def listening() -> bool:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                return False
            writer.close()
            await writer.wait_closed()
            return True

        await _poll(listening, 30, "the news server to listen")
        host = McpHost({"news": {"transport": "streamable_http", "url": url}})
        await host.start()
        try:
            data = await host.read_resource("news", "news://ethiopia/fashion/trends", who=WHO_XYZ)
        finally:
            await host.aclose()
        assert data["region"] == "ethiopia" and data["items"]
        assert all(UTC_Z.match(i["published"]) for i in data["items"])
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=15)
            except TimeoutError:
                proc.kill()
                await proc.wait()
    assert proc.returncode is not None


class _RecordingClock:
    """Stands in for `asyncio` inside chimera.mcp_host: records backoff delays, waits no time."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self._sleep = asyncio.sleep

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)
        await self._sleep(0)


async def test_the_host_retries_transient_errors_with_growing_backoff(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """specs/technical.md §4.1"""
    clock = _RecordingClock()
    monkeypatch.setattr("chimera.mcp_host.asyncio", clock)
    host = McpHost({}, retries=3)
    attempts = 0

    async def flaky() -> str:
        nonlocal attempts
        attempts += 1
        if attempts <= 2:
            raise TransientToolError("social", "post_content", "busy")
        return "ok"

    assert await host._with_retries("social", "post_content", flaky) == "ok"
    assert attempts == 3
    assert len(clock.delays) == 2
    assert 0 < clock.delays[0] < clock.delays[1]


async def test_the_host_gives_up_after_its_retry_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """specs/technical.md §4.1"""
    monkeypatch.setattr("chimera.mcp_host.asyncio", _RecordingClock())
    host = McpHost({}, retries=2)
    attempts = 0

    async def down() -> str:
        nonlocal attempts
        attempts += 1
        raise TransientToolError("social", "post_content", "still busy")

    with pytest.raises(TransientToolError):
        await host._with_retries("social", "post_content", down)
    assert attempts == 3


@pytest.mark.parametrize("error", [InvalidToolArguments, ToolConflict, ToolNotFound])
async def test_the_host_never_retries_a_non_transient_error(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    """specs/technical.md §4.1"""
    clock = _RecordingClock()
    monkeypatch.setattr("chimera.mcp_host.asyncio", clock)
    host = McpHost({}, retries=3)
    attempts = 0

    async def refused() -> str:
        nonlocal attempts
        attempts += 1
        raise error("social", "post_content", "no")

    with pytest.raises(error):
        await host._with_retries("social", "post_content", refused)
    assert attempts == 1
    assert clock.delays == []
