"""The MCP host: one persistent session per server for the host's life.

Sessions are opened by `MultiServerMCPClient.session()` inside one background task that owns
them (anyio scopes must be entered and exited by the same task), so any task may call through
the host while it runs. Every call carries the caller's tenant, agent and run ids in the
request `_meta`, has a timeout, is retried with exponential backoff on transient failures only,
and is checked against a per-server tool allow-list.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import anyio
from langchain_mcp_adapters.client import MultiServerMCPClient
from mcp import ClientSession, McpError, types
from pydantic import AnyUrl

from chimera.mcp.errors import (
    McpCallError,
    ServerUnavailable,
    ToolNotAllowed,
    ToolTimeout,
    TransientToolError,
    from_message,
)
from chimera.platform.embedded import Endpoints
from chimera.platform.settings import REPO_ROOT, Settings
from state.records import RunRef

log = logging.getLogger(__name__)
T = TypeVar("T")

SERVERS: dict[str, frozenset[str]] = {
    "news": frozenset(),
    "social": frozenset({"post_content", "post_tweet", "reply_to_tweet"}),
    "memory": frozenset({"search_memory", "upsert_memory"}),
    "wallet": frozenset({"create_wallet", "get_balance", "send_transaction"}),
    "media": frozenset({"generate_image", "generate_video_from_image", "generate_video_from_text"}),
    "openclaw": frozenset(
        {
            "publish_availability",
            "share_trend_signal",
            "propose_collaboration",
            "respond_to_collaboration",
        }
    ),
}
"""Server name -> tools the runtime may call (its allow-list)."""


@dataclass(frozen=True)
class CallIdentity:
    """Who is calling: sent as `_meta` on every request."""

    tenant_id: str
    agent_id: str
    run_id: str = ""

    @classmethod
    def of_run(cls, run: RunRef) -> CallIdentity:
        """The identity of a graph run's calls: its tenant, agent and thread."""
        return cls(run.tenant_id, run.agent_id, run.thread_id)

    def meta(self) -> dict[str, Any]:
        """The `_meta` dict for the request."""
        return {"tenant_id": self.tenant_id, "agent_id": self.agent_id, "run_id": self.run_id}


def server_connections(settings: Settings, endpoints: Endpoints) -> dict[str, Any]:
    """Connections for every server: stdio subprocesses by default, HTTP URLs if configured."""
    if settings.mcp_transport == "streamable_http":
        return {
            name: {"transport": "streamable_http", "url": settings.mcp_urls[name]}
            for name in SERVERS
        }
    env = {
        **os.environ,
        "CHIMERA_POSTGRES_URI": endpoints.pg_admin,
        "CHIMERA_REDIS_URI": endpoints.redis,
        "CHIMERA_HOME": str(settings.home),
        **({"CHIMERA_CHAIN_RPC_URL": endpoints.chain_rpc} if endpoints.chain_rpc else {}),
    }
    return {
        name: {
            "transport": "stdio",
            "command": sys.executable,
            "args": ["-m", f"servers.{name}"],
            "env": env,
            "cwd": str(REPO_ROOT),
        }
        for name in SERVERS
    }


@dataclass
class McpHost:
    """Persistent MCP sessions with timeouts, retries, allow-lists and identity propagation."""

    connections: dict[str, Any]
    timeout_s: float = 30.0
    retries: int = 3
    allow: dict[str, frozenset[str]] = field(default_factory=lambda: dict(SERVERS))
    _sessions: dict[str, ClientSession] = field(default_factory=dict, init=False)
    _owners: list[asyncio.Task[None]] = field(default_factory=list, init=False)
    _stop: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    async def start(self) -> McpHost:
        """Open one session per server, all at once, and wait until every one is ready.

        Each session has its own owner task (anyio scopes must be entered and exited by the same
        task), so the servers start in parallel instead of one after another.
        """
        client = MultiServerMCPClient(self.connections)
        loop = asyncio.get_running_loop()
        ready = {name: loop.create_future() for name in self.connections}
        self._owners = [
            asyncio.create_task(self._own_session(client, name, ready[name]), name=f"mcp-{name}")
            for name in self.connections
        ]
        results = await asyncio.gather(*ready.values(), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            await self.aclose()
            raise failures[0]
        return self

    async def _own_session(
        self, client: MultiServerMCPClient, name: str, ready: asyncio.Future[None]
    ) -> None:
        try:
            async with client.session(name) as session:
                self._sessions[name] = session
                ready.set_result(None)
                await self._stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(ServerUnavailable(name, "start", f"cannot start: {exc!r}"))
            else:
                raise
        finally:
            self._sessions.pop(name, None)

    async def aclose(self) -> None:
        """Close every session and stop the server subprocesses."""
        self._stop.set()
        if self._owners:
            await asyncio.gather(*self._owners, return_exceptions=True)

    async def __aenter__(self) -> McpHost:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _session(self, server: str) -> ClientSession:
        try:
            return self._sessions[server]
        except KeyError:
            raise ServerUnavailable(server, "-", "no open session (host not started?)") from None

    async def call_tool(
        self, server: str, tool: str, arguments: dict[str, Any], *, who: CallIdentity
    ) -> Any:
        """Call a tool and return its structured (JSON) result.

        Raises:
            ToolNotAllowed: the tool is not on the server's allow-list.
            McpCallError: a typed failure (see `chimera.mcp.errors`).

        """
        if tool not in self.allow.get(server, frozenset()):
            raise ToolNotAllowed(server, tool, "tool is not on the host's allow-list")
        session = self._session(server)

        async def once() -> Any:
            result = await session.call_tool(
                tool,
                arguments,
                read_timeout_seconds=timedelta(seconds=self.timeout_s),
                meta=who.meta(),
            )
            text = "".join(c.text for c in result.content if isinstance(c, types.TextContent))
            if result.isError:
                raise from_message(server, tool, text)
            if result.structuredContent is not None:
                return result.structuredContent
            return json.loads(text) if text else None

        return await self._with_retries(server, tool, once)

    async def read_resource(self, server: str, uri: str, *, who: CallIdentity) -> Any:
        """Read a JSON resource, passing the caller's identity in `_meta`."""
        session = self._session(server)
        request = types.ClientRequest(
            types.ReadResourceRequest(
                params=types.ReadResourceRequestParams(
                    uri=AnyUrl(uri), _meta=types.RequestParams.Meta(**who.meta())
                )
            )
        )

        async def once() -> Any:
            result = await session.send_request(
                request,
                types.ReadResourceResult,
                request_read_timeout_seconds=timedelta(seconds=self.timeout_s),
            )
            text = "".join(
                c.text for c in result.contents if isinstance(c, types.TextResourceContents)
            )
            return json.loads(text)

        return await self._with_retries(server, uri, once)

    async def _with_retries(self, server: str, target: str, once: Callable[[], Awaitable[T]]) -> T:
        attempt = 0
        while True:
            try:
                return await self._map_errors(server, target, once)
            except TransientToolError as exc:
                if attempt >= self.retries:
                    raise
                delay = min(2.0, 0.1 * 2**attempt) * (0.5 + random.random() / 2)
                log.warning(
                    "retrying %s.%s after %s (attempt %d)", server, target, exc, attempt + 1
                )
                attempt += 1
                await asyncio.sleep(delay)

    async def _map_errors(self, server: str, target: str, once: Callable[[], Awaitable[T]]) -> T:
        try:
            return await once()
        except McpCallError:
            raise
        except McpError as exc:
            if exc.error.code == 408 or "timed out" in exc.error.message.lower():
                raise ToolTimeout(server, target, f"no answer in {self.timeout_s}s") from exc
            raise from_message(server, target, exc.error.message) from exc
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, ConnectionError) as exc:
            raise ServerUnavailable(server, target, f"connection lost: {exc!r}") from exc


async def open_host(settings: Settings, endpoints: Endpoints) -> McpHost:
    """Start a host with every Chimera server, configured from settings."""
    host = McpHost(
        server_connections(settings, endpoints),
        timeout_s=settings.mcp_call_timeout_s,
        retries=settings.mcp_retries,
    )
    return await host.start()
