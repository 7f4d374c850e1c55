"""Postgres for the checkpoint and concurrency benches: one embedded server, a fresh database
per variant (so neither side inherits the other's tables, indexes or cache), row/byte counts.

Both variants get the same pool (`chimera.resources.open_checkpoint_pool`, what production uses) on
their own database. Ours is what production runs: Chimera's migrations applied (tenant column and
forced row-level security on the saver's tables), the runtime role connected, `TenantSaver` with
the strict allow-list serializer of `chimera.platform.checkpoint`. Bare is LangGraph's saver and
tables as LangGraph creates them, as the owner, with its default serializer.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg.conninfo import make_conninfo

from chimera.platform.checkpoint import thread_tenant
from chimera.platform.db import Pool, migrate
from chimera.platform.embedded import ensure_services, stop_services
from chimera.platform.settings import Settings

TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")


@contextmanager
def embedded_postgres(prefix: str) -> Iterator[str]:
    """Throwaway embedded services in a temporary CHIMERA_HOME; yields the owner conninfo.

    Blocking: call it outside the event loop. Everything is stopped and removed afterwards.
    """
    home = Path(tempfile.mkdtemp(prefix=prefix))
    home.chmod(0o755)  # the embedded Postgres runs as its own user and must reach its data dir
    settings = Settings(home=home, chain="eth-tester")
    try:
        yield ensure_services(settings).pg_admin
    finally:
        stop_services(settings)
        shutil.rmtree(home, ignore_errors=True)


def fresh_database(admin: str, label: str, *, chimera: bool = False) -> str:
    """Create an empty database with the checkpoint tables; return its conninfo.

    `chimera=True` applies Chimera's migrations and returns the runtime role's conninfo (RLS
    applies); otherwise the owner's. Blocking (run it in `asyncio.to_thread` from async code).
    The name is unique per call.
    """
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    conninfo = make_conninfo(admin, dbname=name)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        PostgresSaver(conn).setup()  # type: ignore[arg-type]
    if not chimera:
        return conninfo
    settings = Settings()
    migrate(conninfo, settings)
    return make_conninfo(
        conninfo, user=settings.app_db_role, password=settings.app_db_password.get_secret_value()
    )


async def thread_footprint(pool: Pool, thread_id: str) -> dict[str, int]:
    """Rows and bytes (`pg_column_size` of each row) one thread wrote to each checkpoint table."""
    out: dict[str, int] = {}
    async with pool.connection() as conn:
        # Chimera's side runs as the runtime role: it sees the rows of the thread's tenant.
        await conn.execute(
            "SELECT set_config('app.tenant_id', %s, false)", (thread_tenant(thread_id),)
        )
        for table in TABLES:
            cur = await conn.execute(
                f"SELECT count(*) AS n, coalesce(sum(pg_column_size(t.*)), 0) AS b"
                f" FROM {table} t WHERE thread_id = %s",
                (thread_id,),
            )
            row = await cur.fetchone()
            assert row is not None
            out[f"{table}_rows"], out[f"{table}_bytes"] = int(row["n"]), int(row["b"])
    out["rows"] = sum(out[f"{t}_rows"] for t in TABLES)
    out["bytes"] = sum(out[f"{t}_bytes"] for t in TABLES)
    return out
