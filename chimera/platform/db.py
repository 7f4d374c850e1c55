"""Control-plane persistence: versioned migrations, row-level security and tenant transactions.

Migrations are plain SQL files applied once, in order, by the owner connection and recorded in
`schema_migrations`. After them every table with a `tenant_id` column gets row-level security
FORCED with one policy keyed on the `app.tenant_id` setting, and the runtime role gets DML
rights only. The runtime sets the tenant per transaction (`tenant_tx`), so another tenant's rows
are simply invisible: a lookup of them is a not-found, never data.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from chimera.platform.grants import secure
from chimera.platform.settings import REPO_ROOT, Settings

log = logging.getLogger(__name__)

MIGRATION_DIRS = (
    ("control", REPO_ROOT / "chimera" / "platform" / "migrations"),
    ("social", REPO_ROOT / "servers" / "social" / "migrations"),
    ("memory", REPO_ROOT / "servers" / "memory" / "migrations"),
    ("wallet", REPO_ROOT / "servers" / "wallet" / "migrations"),
    ("media", REPO_ROOT / "servers" / "media" / "migrations"),
    ("openclaw", REPO_ROOT / "servers" / "openclaw" / "migrations"),
)
_MIGRATION_LOCK = 73_519_001  # advisory lock id serialising concurrent migrators

Conn = psycopg.AsyncConnection[DictRow]
Pool = AsyncConnectionPool[Conn]
"""A pool of runtime-role connections returning dict rows."""


class MigrationError(RuntimeError):
    """An applied migration no longer matches its file."""


def _migrations() -> list[tuple[str, str, Path]]:
    found = []
    for component, folder in MIGRATION_DIRS:
        for path in sorted(folder.glob("*.sql")):
            found.append((component, path.stem, path))
    return found


def migrate(admin_conninfo: str, settings: Settings) -> list[str]:
    """Apply pending migrations, then (re)assert roles, RLS and grants. Returns applied names.

    Idempotent and safe to call from several processes at once (an advisory lock serialises it).

    Raises:
        MigrationError: an applied migration's file changed since it was applied.

    """
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            # The saver's tables first: a migration gives them their tenant column.
            _setup_checkpointer(conn)
            applied = _apply_pending(conn)
            _secure(conn, settings)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
    return applied


def _apply_pending(conn: psycopg.Connection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (component text, name text,"
        " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),"
        " PRIMARY KEY (component, name))"
    )
    rows = conn.execute("SELECT component, name, checksum FROM schema_migrations").fetchall()
    done = {(component, name): checksum for component, name, checksum in rows}
    applied = []
    for component, name, path in _migrations():
        body = path.read_text()
        checksum = hashlib.sha256(body.encode()).hexdigest()
        if (component, name) in done:
            if done[(component, name)] != checksum:
                raise MigrationError(
                    f"migration {component}/{name} changed after it was applied;"
                    " add a new migration instead of editing an applied one"
                )
            continue
        with conn.transaction():
            conn.execute(body)
            conn.execute(
                "INSERT INTO schema_migrations (component, name, checksum) VALUES (%s, %s, %s)",
                (component, name, checksum),
            )
        applied.append(f"{component}/{name}")
    return applied


def _setup_checkpointer(conn: psycopg.Connection) -> None:
    from langgraph.checkpoint.postgres import PostgresSaver

    PostgresSaver(conn).setup()  # type: ignore[arg-type]


def _secure(conn: psycopg.Connection, settings: Settings) -> None:
    """Roles, grants and row-level security, in ONE transaction (`chimera.platform.grants`).

    Statement by statement, a concurrent process could insert between dropping and re-creating
    a tenant policy (forced RLS with no policy refuses every row) or between a grant and a
    revoke; as one transaction, the others only ever see the finished state. Only what differs
    is changed, so a start beside busy processes takes no lock on their tables.
    """
    with conn.transaction():
        secure(conn, settings)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; the run stops and resumes later from its checkpoint."""


async def probe_database(conninfo: str, timeout_s: float = 3.0) -> str | None:
    """None when a fresh connection answers `SELECT 1` within `timeout_s`, else the problem."""
    try:
        async with asyncio.timeout(timeout_s):
            conn = await psycopg.AsyncConnection.connect(conninfo, connect_timeout=int(timeout_s))
            async with conn:
                await conn.execute("SELECT 1")
    except (TimeoutError, psycopg.Error, OSError) as exc:
        text = str(exc).strip().splitlines()
        return f"Postgres unreachable: {text[0] if text else type(exc).__name__}"
    return None


async def open_pool(conninfo: str, *, max_size: int = 10) -> Pool:
    """Open an async pool of runtime-role connections returning dict rows."""
    pool: Pool = AsyncConnectionPool(
        conninfo,
        connection_class=psycopg.AsyncConnection[DictRow],
        min_size=1,
        max_size=max_size,
        kwargs={"row_factory": dict_row, "autocommit": False},
        open=False,
    )
    await pool.open(wait=True, timeout=30)
    return pool


@asynccontextmanager
async def tenant_tx(pool: Pool, tenant_id: str) -> AsyncIterator[Conn]:
    """A transaction in which only `tenant_id`'s rows are visible or writable."""
    if not tenant_id:
        raise ValueError("tenant_id is required for every control-plane transaction")
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant_id,))
        yield conn
