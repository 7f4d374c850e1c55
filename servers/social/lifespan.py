"""The social server's lifetime resources: database pool, Redis, the backends, the outbox tasks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from mcp.server.fastmcp import Context, FastMCP

from chimera.platform.db import open_pool
from chimera.platform.settings import Settings
from servers.bootstrap import server_endpoints
from servers.runtime import ServerDeps
from servers.social.backend import Backends, SandboxBackend, x_http_client
from servers.social.outbox import Outbox
from servers.social.sandbox_outbox import SandboxOutbox
from servers.social.subscriptions import Subscriptions, listen
from servers.social.xaccounts import load_accounts
from servers.social.xbackend import XBackend


@dataclass
class SocialDeps(ServerDeps):
    """ServerDeps plus Redis, the backends and the mention subscriptions."""

    redis: Any
    backends: Backends
    subscriptions: Subscriptions


@asynccontextmanager
async def social_lifespan(_: FastMCP[Any]) -> AsyncIterator[SocialDeps]:
    """Open everything for the server's life: the outbox task(s) and the mention listener."""
    settings = Settings()
    # The X accounts first: a refused file stops the server before anything is started.
    accounts = await load_accounts(settings) if settings.social_backend == "x" else None
    endpoints = await server_endpoints(settings, "social")
    pool = await open_pool(endpoints.pg_app, max_size=5)
    redis: Any = aioredis.from_url(endpoints.redis, decode_responses=True)
    sandbox = SandboxBackend(pool, settings.sandbox_latency_ms / 1000, redis=redis)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(pool.close)
        stack.push_async_callback(redis.aclose)
        outbox = SandboxOutbox(pool, redis, settings.sandbox_outbox_poll_s)
        stack.push_async_callback(_cancel, asyncio.create_task(outbox.run(), name="sandbox-outbox"))
        x: XBackend | None = None
        if accounts is not None:
            client = await stack.enter_async_context(x_http_client(settings))
            x = XBackend(settings, pool, redis, client, accounts)
            task = asyncio.create_task(Outbox(x, settings.x_outbox_poll_s).run(), name="x-outbox")
            stack.push_async_callback(_cancel, task)
        backends = Backends(sandbox, x, frozenset(settings.x_platforms))
        # Last, once the configuration is known good: a listener cancelled while it is still
        # connecting (a refused start) can outlive the refusal.
        subscriptions = Subscriptions()
        listener = listen(endpoints.pg_app, subscriptions)
        stack.push_async_callback(_cancel, asyncio.create_task(listener, name="mention-listener"))
        yield SocialDeps(
            settings=settings,
            pool=pool,
            redis=redis,
            backends=backends,
            subscriptions=subscriptions,
        )


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def social(ctx: Context[Any, Any, Any]) -> SocialDeps:
    """The running social server's resources."""
    deps: SocialDeps = ctx.request_context.lifespan_context
    return deps
