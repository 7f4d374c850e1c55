"""A dead or hung MCP server is restarted and the call retried (fault battery: MCP servers)."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import pytest

from chimera.mcp.host import McpHost, server_connections
from chimera.resources import Services
from tests.support.mcp import WHO_XYZ

pytestmark = pytest.mark.slow
URI = "news://ethiopia/fashion/trends"


def news_pids() -> set[int]:
    """Pids of this process's live `servers.news` children (read from /proc)."""
    found = set()
    for proc in Path("/proc").iterdir():
        with suppress(OSError, ValueError, IndexError):
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (proc / "cmdline").read_bytes()
            alive = fields[0] not in {"Z", "X"}
            if alive and int(fields[1]) == os.getpid() and b"servers.news" in cmdline:
                found.add(int(proc.name))
    return found


@asynccontextmanager
async def news_host(svc: Services, timeout_s: float) -> AsyncIterator[McpHost]:
    """A host with only the news server, its own subprocess (the session's is left alone)."""
    connections = server_connections(svc.settings, svc.endpoints)
    host = McpHost({"news": connections["news"]}, timeout_s=timeout_s, retries=2)
    async with host:
        yield host


async def test_a_killed_server_is_restarted_and_the_read_retried(svc: Services) -> None:
    """specs/faults.md §4.1"""
    before = news_pids()
    async with news_host(svc, 20) as host:
        first = await host.read_resource("news", URI, who=WHO_XYZ)
        (pid,) = news_pids() - before
        os.kill(pid, signal.SIGKILL)
        again = await host.read_resource("news", URI, who=WHO_XYZ)
        assert again["items"] == first["items"]
        (new_pid,) = news_pids() - before
        assert new_pid != pid


async def test_a_hung_server_is_restarted_after_its_timeout(svc: Services) -> None:
    """specs/faults.md §4.1"""
    before = news_pids()
    async with news_host(svc, 2) as host:
        await host.read_resource("news", URI, who=WHO_XYZ)
        (pid,) = news_pids() - before
        os.kill(pid, signal.SIGSTOP)
        try:
            data = await host.read_resource("news", URI, who=WHO_XYZ)
        finally:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert data["items"]
        assert pid not in news_pids()
