"""One race-free bootstrap: services, database, roles and migrations under a single lock.

Concurrent first starts on a new data dir (four `chimera run`, ten skill calls, a standalone
server next to a CLI) must all succeed. Each step is idempotent on its own, but they are only safe
together when one process does all of them while the others wait: the database must exist before
migrations, and the runtime role must exist before anyone opens a runtime pool. So the whole
sequence runs under one file lock per home (local processes) and the migrator's advisory lock
(processes on other machines sharing an external Postgres).
"""

from __future__ import annotations

import logging
import time

import psycopg

from chimera.platform.db import migrate
from chimera.platform.embedded import Endpoints, ServiceError, ensure_services
from chimera.platform.locks import file_lock
from chimera.platform.settings import Settings

log = logging.getLogger(__name__)


def bootstrap(settings: Settings) -> Endpoints:
    """Start or reuse every service, create the database, roles and schema; return endpoints.

    Blocking: call it before the event loop or in `asyncio.to_thread`.

    Raises:
        ServiceError: a service could not be started or reached.
        MigrationError: an applied migration's file changed.

    """
    started = time.monotonic()
    with file_lock(settings.home.resolve() / "bootstrap.lock"):
        endpoints = ensure_services(settings)
        try:
            applied = migrate(endpoints.pg_admin, settings)
        except psycopg.OperationalError as exc:
            raise ServiceError(f"cannot reach Postgres: {_first_line(exc)}") from exc
    if applied:
        log.info(
            "bootstrap applied %d migrations in %.1fs", len(applied), time.monotonic() - started
        )
    return endpoints


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
