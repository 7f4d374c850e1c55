"""Resources of a LangGraph server process (`langgraph dev` / LangGraph server).

The server imports graph factories and the checkpointer from `langgraph.json`; both need the
process's `Services` (pools, Redis, the MCP host with its server subprocesses). They are opened
once, lazily, on the server's event loop, and live as long as the process. This is the one
process-scoped holder in the codebase: the server owns the process, not a caller we could hand
resources to.

They close when the server stops: the server enters the checkpointer (below) once at start-up
and exits it at shutdown, after its queue has cancelled the runs in flight (a cancelled run is
saved as pending and retried by the next server from its last checkpoint). That exit closes the
services: the pruner stops, the MCP server subprocesses are closed, the pools and Redis are
released, so a stopped server leaves no orphan process behind. The console app's lifespan is no
place for it: the server ends the custom app's lifespan before it stops its runs, and closing
the pools under a running node would fail the run instead of leaving it to be retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from chimera.platform.checkpoint import saver
from chimera.platform.logs import use_package_logging
from chimera.resources import Services, open_services
from chimera.runs.retention import prune_periodically


class _ProcessServices:
    """Opens `Services` once per process and keeps them open."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._stack = AsyncExitStack()
        self._services: Services | None = None
        self._stop = asyncio.Event()
        self._pruner: asyncio.Task[None] | None = None

    async def get(self) -> Services:
        async with self._lock:
            if self._services is None:
                self._services = await self._stack.enter_async_context(open_services())
                use_package_logging(self._services.settings)
                # Retention: finished threads' checkpoints are pruned while the server runs.
                self._pruner = asyncio.create_task(
                    prune_periodically(self._services, self._stop), name="checkpoint-pruner"
                )
            return self._services

    async def close(self) -> None:
        """Stop the pruner and close the services (idempotent); `get` opens them afresh."""
        async with self._lock:
            self._stop.set()
            if self._pruner is not None:
                await self._pruner
            await self._stack.aclose()
            self._services, self._pruner = None, None
            self._stop = asyncio.Event()


_process = _ProcessServices()


async def process_services() -> Services:
    """The server process's services (opened on first use)."""
    return await _process.get()


@asynccontextmanager
async def checkpointer() -> AsyncIterator[AsyncPostgresSaver]:
    """`checkpointer.path` of langgraph.json: the Postgres saver on the runtime role's pool.

    Leaving it (the server's shutdown) closes the process's services.
    """
    svc = await process_services()
    try:
        yield saver(svc.checkpoint_pool)
    finally:
        # The server's shutdown: its runs are stopped; nothing uses the services any more.
        await _process.close()
