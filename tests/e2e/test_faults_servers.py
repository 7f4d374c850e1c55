"""Standalone MCP servers on a new data dir: usable at once, or a clear fast failure."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from chimera.platform.settings import REPO_ROOT
from tests.support.faults import env_for, fresh_home, run_python

pytestmark = pytest.mark.slow
TOOLS = {
    "social": {"post_content", "post_tweet", "reply_to_tweet"},
    "memory": {"search_memory", "upsert_memory"},
    "wallet": {"create_wallet", "get_balance", "send_transaction"},
    "media": {"generate_image"},
    "news": set(),
}


async def tools_of(name: str, home: Path) -> set[str]:
    """Initialize `python -m servers.<name>` over stdio (as MCP Inspector does); its tools."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", f"servers.{name}"],
        env=env_for(home),
        cwd=str(REPO_ROOT),
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await asyncio.wait_for(session.initialize(), 60)
        return {tool.name for tool in (await session.list_tools()).tools}


async def test_every_server_started_alone_on_a_new_data_dir_lists_its_tools(
    tmp_path: Path,
) -> None:
    """specs/faults.md §2, §1.1"""
    with fresh_home(tmp_path / "h") as settings:
        found = await asyncio.gather(*(tools_of(name, settings.home) for name in TOOLS))
    for name, tools in zip(TOOLS, found, strict=True):
        assert tools >= TOOLS[name], (name, tools)


async def test_a_server_that_cannot_reach_postgres_fails_within_seconds(tmp_path: Path) -> None:
    """specs/faults.md §2"""
    env = env_for(tmp_path / "h", CHIMERA_POSTGRES_URI="postgresql://nobody@127.0.0.1:9/x")
    with fresh_home(tmp_path / "h"):
        started = time.monotonic()
        result = await run_python(["-m", "servers.media"], env, 60)
        took = time.monotonic() - started
    assert result.code == 4
    assert result.err.startswith("error: media server cannot start: cannot reach Postgres")
    assert "Traceback" not in result.err and took < 20
