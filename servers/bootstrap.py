"""Standalone-server bootstrap: a server started on a new data dir sets up what it needs.

`python -m servers.social` (or memory, wallet, media) may be the first Chimera process on a
machine, started by MCP Inspector with no earlier command. It runs the same race-free bootstrap as
the CLI (services, database, runtime role, migrations), or fails within a bounded time with one
clear line on stderr instead of retrying a missing role until the client gives up.
"""

from __future__ import annotations

import asyncio
import sys

from chimera.platform.bootstrap import bootstrap
from chimera.platform.db import MigrationError
from chimera.platform.embedded import Endpoints, ServiceError
from chimera.platform.settings import Settings

BOOTSTRAP_TIMEOUT_S = 60.0
"""A fresh embedded Postgres plus every migration takes ~5-10 s here; beyond this, give up."""


EXIT_UNAVAILABLE = 4
"""The exit code of a server whose services cannot be reached (the CLI uses the same)."""


class BootstrapFailed(RuntimeError):
    """The server cannot reach or set up its services; the reason is already on stderr."""


async def server_endpoints(settings: Settings, server: str) -> Endpoints:
    """Bootstrap off the event loop and return the endpoints, or raise with a clear message.

    Raises:
        BootstrapFailed: services unreachable, a migration mismatch, or the bootstrap timed out
            (the reason is printed on stderr first).

    """
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(bootstrap, settings), timeout=BOOTSTRAP_TIMEOUT_S
        )
    except TimeoutError:
        message = f"bootstrap took over {BOOTSTRAP_TIMEOUT_S:.0f}s"
    except (ServiceError, MigrationError, OSError) as exc:
        message = str(exc)
    hint = "check CHIMERA_HOME / CHIMERA_POSTGRES_URI or run `chimera services start`"
    print(f"error: {server} server cannot start: {message} ({hint})", file=sys.stderr, flush=True)
    raise BootstrapFailed(message)


def exit_on_bootstrap_failure(exc: BaseException) -> None:
    """Exit with EXIT_UNAVAILABLE (no traceback) when `exc` holds a BootstrapFailed.

    The reason is already on stderr; an MCP client sees the server close within seconds.
    """
    found = exc.split(BootstrapFailed)[0] if isinstance(exc, BaseExceptionGroup) else exc
    if isinstance(found, BootstrapFailed | BaseExceptionGroup):
        raise SystemExit(EXIT_UNAVAILABLE) from None
