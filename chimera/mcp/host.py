"""The MCP host: one persistent session per server for the host's life.

Sessions are opened by `MultiServerMCPClient.session()` inside one background task that owns
them (anyio scopes must be entered and exited by the same task), so any task may call through
the host while it runs. Every call carries the caller's tenant, agent and run ids in the
request `_meta`, has a timeout, is retried with exponential backoff on transient failures only,
and is checked against a per-server tool allow-list. A server whose connection is lost, or that
no longer answers a ping after a timeout, is restarted and the call retried with the same
arguments (so the same idempotency key). While a call waits, the database every server needs is
probed: a lost database fails the call within seconds instead of after every retry.
Resource subscriptions are held by the host (`chimera.mcp.subscriptions`) and renewed on every
new session of their server, so a restart keeps them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import anyio
from langchain_mcp_adapters.client import MultiServerMCPClient
from mcp import ClientSession, McpError, types
from pydantic import AnyUrl

from chimera.mcp import subscriptions as subs
from chimera.mcp.errors import (
    McpCallError,
    ServerUnavailable,
    ToolNotAllowed,
    ToolTimeout,
    TransientToolError,
    from_message,
)
from chimera.platform.db import DatabaseUnavailable, probe_database
from chimera.platform.embedded import Endpoints
from chimera.platform.mcp_tokens import Role, token_for
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


def server_connections(
    settings: Settings, endpoints: Endpoints, token: str | None = None
) -> dict[str, Any]:
    """Connections for every server: stdio subprocesses by default, HTTP URLs if configured.

    Over HTTP every request carries `token` as its bearer token (see `connection_token`).
    """
    if settings.mcp_transport == "streamable_http":
        auth = {"headers": {"Authorization": f"Bearer {token}"}} if token else {}
        return {
            name: {"transport": "streamable_http", "url": settings.mcp_urls[name], **auth}
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
    health: Callable[[], Awaitable[str | None]] | None = None
    """Probe of what every server needs (the database): None when healthy, else the problem."""
    health_every_s: float = 5.0
    _sessions: dict[str, ClientSession] = field(default_factory=dict, init=False)
    _owners: dict[str, asyncio.Task[None]] = field(default_factory=dict, init=False)
    _stops: dict[str, asyncio.Event] = field(default_factory=dict, init=False)
    _restarts: dict[str, asyncio.Lock] = field(default_factory=dict, init=False)
    _client: MultiServerMCPClient | None = field(default=None, init=False)
    _subscriptions: subs.Subscriptions = field(default_factory=subs.Subscriptions, init=False)

    async def start(self) -> McpHost:
        """Open one session per server, all at once, and wait until every one is ready.

        Each session has its own owner task (anyio scopes must be entered and exited by the same
        task), so the servers start in parallel instead of one after another.
        """
        self._client = MultiServerMCPClient(self._with_handlers())
        results = await asyncio.gather(
            *(self._open(name) for name in self.connections), return_exceptions=True
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            await self.aclose()
            raise failures[0]
        return self

    def _with_handlers(self) -> dict[str, Any]:
        """The connections, each session routing its resource updates to the subscriptions."""
        return {
            name: {
                **connection,
                "session_kwargs": {
                    **(connection.get("session_kwargs") or {}),
                    "message_handler": self._subscriptions.handler(name),
                },
            }
            for name, connection in self.connections.items()
        }

    async def _open(self, name: str) -> None:
        """Start the owner task of one server's session and wait until the session is ready."""
        assert self._client is not None, "start() first"
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._stops[name] = asyncio.Event()
        self._owners[name] = asyncio.create_task(
            self._own_session(self._client, name, ready, self._stops[name]), name=f"mcp-{name}"
        )
        await ready

    async def _own_session(
        self,
        client: MultiServerMCPClient,
        name: str,
        ready: asyncio.Future[None],
        stop: asyncio.Event,
    ) -> None:
        session: ClientSession | None = None
        try:
            async with client.session(name) as session:
                await self._subscriptions.resubscribe(name, session, self.timeout_s)
                self._sessions[name] = session
                ready.set_result(None)
                await stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(ServerUnavailable(name, "start", f"cannot start: {exc!r}"))
            elif not stop.is_set():
                log.warning("MCP server %s session ended: %r", name, exc)
        finally:
            if session is not None and self._sessions.get(name) is session:
                self._sessions.pop(name, None)

    async def restart(self, server: str, broken: ClientSession | None) -> None:
        """Replace `server`'s session (and subprocess) unless another caller already did.

        Args:
            server: The server name.
            broken: The session the caller saw fail; a newer session means nothing to do.

        """
        lock = self._restarts.setdefault(server, asyncio.Lock())
        async with lock:
            if broken is not None and self._sessions.get(server) not in (broken, None):
                return
            log.warning("restarting MCP server %s", server)
            self._stops.get(server, asyncio.Event()).set()
            owner = self._owners.get(server)
            if owner is not None:
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(asyncio.shield(owner), 10)
                owner.cancel()
            self._sessions.pop(server, None)
            await self._open(server)

    async def aclose(self) -> None:
        """Close every session and stop the server subprocesses."""
        for stop in self._stops.values():
            stop.set()
        if self._owners:
            await asyncio.gather(*self._owners.values(), return_exceptions=True)

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

        async def once() -> Any:
            result = await self._session(server).call_tool(
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
        request = types.ClientRequest(
            types.ReadResourceRequest(
                params=types.ReadResourceRequestParams(
                    uri=AnyUrl(uri), _meta=types.RequestParams.Meta(**who.meta())
                )
            )
        )

        async def once() -> Any:
            result = await self._session(server).send_request(
                request,
                types.ReadResourceResult,
                request_read_timeout_seconds=timedelta(seconds=self.timeout_s),
            )
            text = "".join(
                c.text for c in result.contents if isinstance(c, types.TextResourceContents)
            )
            return json.loads(text)

        return await self._with_retries(server, uri, once)

    async def subscribe(
        self, server: str, uri: str, *, who: CallIdentity, callback: subs.ResourceCallback
    ) -> None:
        """Subscribe `who` to a resource; `callback` runs on each update (it must not block).

        The subscription lasts until `unsubscribe` or the host closes, across server restarts.

        Raises:
            McpCallError: the server refused it (another tenant's agent, an unknown resource).

        """
        subscription = subs.Subscription(uri, who.meta(), callback)
        self._subscriptions.add(server, subscription)
        try:
            await self._send(server, uri, subs.subscribe_request(uri, who.meta()))
        except BaseException:
            self._subscriptions.remove(server, subscription.key)
            raise

    async def unsubscribe(self, server: str, uri: str, *, who: CallIdentity) -> None:
        """End `who`'s subscription to a resource (not subscribed: nothing happens)."""
        key = (uri, who.tenant_id, who.agent_id)
        if self._subscriptions.remove(server, key) is not None and server in self._sessions:
            await self._send(server, uri, subs.unsubscribe_request(uri, who.meta()))

    async def _send(self, server: str, target: str, request: types.ClientRequest) -> None:
        """Send a request answered by an empty result, with the host's timeout and retries."""

        async def once() -> None:
            await self._session(server).send_request(
                request,
                types.EmptyResult,
                request_read_timeout_seconds=timedelta(seconds=self.timeout_s),
            )

        await self._with_retries(server, target, once)

    async def _with_retries(self, server: str, target: str, once: Callable[[], Awaitable[T]]) -> T:
        """Call `once`; restart a dead or hung server, back off on transient errors, retry.

        The arguments (and so the idempotency key) are the same on every attempt.
        """
        attempt = 0
        while True:
            session = self._sessions.get(server)
            try:
                return await self._guarded(server, target, once)
            except (TransientToolError, ServerUnavailable) as exc:
                if attempt >= self.retries:
                    raise
                restart = self._client is not None and (
                    isinstance(exc, ServerUnavailable)
                    or (isinstance(exc, ToolTimeout) and not await self._answers(session))
                )
                if isinstance(exc, ServerUnavailable) and not restart:
                    raise
                log.warning(
                    "retrying %s.%s after %s (attempt %d)", server, target, exc, attempt + 1
                )
                delay = min(2.0, 0.1 * 2**attempt) * (0.5 + random.random() / 2)
                attempt += 1
                if restart:
                    await self._restart_or_fail(server, target, session)
                else:
                    await asyncio.sleep(delay)

    async def _answers(self, session: ClientSession | None) -> bool:
        """Whether the server still answers a ping (a timed-out call may just be slow)."""
        if session is None:
            return False
        try:
            await asyncio.wait_for(session.send_ping(), timeout=min(5.0, self.timeout_s))
        except (TimeoutError, McpError, anyio.ClosedResourceError, anyio.BrokenResourceError):
            return False
        return True

    async def _restart_or_fail(
        self, server: str, target: str, broken: ClientSession | None
    ) -> None:
        try:
            await self.restart(server, broken)
        except McpCallError:
            raise
        except Exception as exc:
            raise ServerUnavailable(server, target, f"restart failed: {exc!r}") from exc

    async def _guarded(self, server: str, target: str, once: Callable[[], Awaitable[T]]) -> T:
        """Run one attempt, probing `health` while it waits: a lost database fails it at once."""
        if self.health is None:
            return await self._map_errors(server, target, once)
        call = asyncio.ensure_future(self._map_errors(server, target, once))
        try:
            while True:
                done, _ = await asyncio.wait({call}, timeout=self.health_every_s)
                if done:
                    return call.result()
                problem = await self.health()
                if problem is not None:
                    raise DatabaseUnavailable(problem)
        finally:
            if not call.done():
                call.cancel()
                await asyncio.gather(call, return_exceptions=True)

    async def _map_errors(self, server: str, target: str, once: Callable[[], Awaitable[T]]) -> T:
        try:
            return await once()
        except McpCallError:
            raise
        except McpError as exc:
            if exc.error.code == types.CONNECTION_CLOSED:
                raise ServerUnavailable(server, target, "connection closed") from exc
            if exc.error.code == 408 or "timed out" in exc.error.message.lower():
                raise ToolTimeout(server, target, f"no answer in {self.timeout_s}s") from exc
            raise from_message(server, target, exc.error.message) from exc
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, ConnectionError) as exc:
            raise ServerUnavailable(server, target, f"connection lost: {exc!r}") from exc


async def connection_token(settings: Settings, role: Role = "host") -> str | None:
    """The bearer token this host sends over HTTP (None over stdio: process trust).

    Raises:
        TokenConfigError: HTTP is configured but no token of `role` is.

    """
    if settings.mcp_transport != "streamable_http":
        return None
    return await asyncio.to_thread(token_for, settings, role)


async def open_host(settings: Settings, endpoints: Endpoints) -> McpHost:
    """Start a host with every Chimera server, configured from settings."""
    token = await connection_token(settings)
    host = McpHost(
        server_connections(settings, endpoints, token),
        timeout_s=settings.mcp_call_timeout_s,
        retries=settings.mcp_retries,
        health=partial(probe_database, endpoints.pg_app),
    )
    return await host.start()
