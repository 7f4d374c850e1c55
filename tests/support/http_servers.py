"""Chimera MCP servers started standalone over streamable HTTP with a known token set.

Each server is its own process (`python -m servers.<name> --transport streamable-http`) on an
OS-chosen port, sharing the session's embedded Postgres, Redis and devnet, exactly as an
operator runs one remotely (specs/security.md §1).
"""

from __future__ import annotations

import asyncio
import re
import secrets
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from chimera.mcp.host import McpHost, server_connections
from chimera.platform.settings import REPO_ROOT
from chimera.resources import Services
from tests.support.waiting import eventually

TOKENS = {
    "host": f"host-{secrets.token_urlsafe(24)}",
    "operator": f"op-{secrets.token_urlsafe(24)}",
    "tenant-xyz": f"xyz-{secrets.token_urlsafe(24)}",
    "tenant-abc": f"abc-{secrets.token_urlsafe(24)}",
}
TOKEN_LIST = ",".join(
    [
        f"host:*:{TOKENS['host']}",
        f"operator:*:{TOKENS['operator']}",
        f"tenant:tenant-xyz:{TOKENS['tenant-xyz']}",
        f"tenant:tenant-abc:{TOKENS['tenant-abc']}",
    ]
)


async def _listening(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


@asynccontextmanager
async def http_server(svc: Services, name: str) -> AsyncIterator[str]:
    """Run server `name` over streamable HTTP with `TOKEN_LIST`; yields its /mcp URL."""
    stdio = server_connections(svc.settings, svc.endpoints)[name]
    env = {**stdio["env"], "CHIMERA_MCP_TOKENS": TOKEN_LIST}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *["-m", f"servers.{name}", "--transport", "streamable-http", "--port", "0"],
        cwd=str(REPO_ROOT),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=90)).decode()
        match = re.search(rf"serving {name} on (http://127\.0\.0\.1:(\d+)/mcp)", line)
        assert match, f"unexpected first line: {line!r}"
        await eventually(lambda: _listening(int(match[2])), 60, f"the {name} server to listen")
        yield match[1]
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def client(urls: dict[str, str], token: str | None, allow: dict[str, Any]) -> McpHost:
    """A real MCP client (the Chimera host) sending `token` as its bearer token."""
    headers = {"headers": {"Authorization": f"Bearer {token}"}} if token else {}
    connections = {
        name: {"transport": "streamable_http", "url": url, **headers} for name, url in urls.items()
    }
    return McpHost(connections, retries=0, allow=allow)
