"""The MCP host itself: allow-list, standalone HTTP servers, retries (specs/technical.md §4.1).

Every refusal is checked to be the typed error the host promises.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from typing import Any

import pytest

from chimera.mcp.errors import (
    InvalidToolArguments,
    ToolConflict,
    ToolNotAllowed,
    ToolNotFound,
    TransientToolError,
)
from chimera.mcp.host import McpHost
from chimera.platform.settings import REPO_ROOT
from chimera.resources import Services
from tests.support.http_servers import TOKEN_LIST, TOKENS
from tests.support.mcp import UTC_Z, WHO_XYZ, XYZ, new_key, post_payload
from tests.support.waiting import eventually

# --- allow-list


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


# --- standalone server and host retries


async def test_the_news_server_runs_standalone_over_streamable_http(svc: Services) -> None:
    """specs/technical.md §4.1, §4.2"""
    env = {
        **os.environ,
        "CHIMERA_HOME": str(svc.settings.home),
        "CHIMERA_POSTGRES_URI": svc.endpoints.pg_admin,
        "CHIMERA_REDIS_URI": svc.endpoints.redis,
        "CHIMERA_MCP_TOKENS": TOKEN_LIST,
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

        await eventually(listening, 30, "the news server to listen")
        bearer = {"Authorization": f"Bearer {TOKENS['host']}"}
        host = McpHost({"news": {"transport": "streamable_http", "url": url, "headers": bearer}})
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
    """Stands in for `asyncio` inside chimera.mcp.host: records backoff delays, waits no time."""

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
    monkeypatch.setattr("chimera.mcp.host.asyncio", clock)
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
    monkeypatch.setattr("chimera.mcp.host.asyncio", _RecordingClock())
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
    monkeypatch.setattr("chimera.mcp.host.asyncio", clock)
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
