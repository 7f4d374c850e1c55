"""Redis killed mid-perception: one clear line, and the next pass decides every alert once.

`chimera perceive --once` runs on its own data dir; Redis is killed while the run the pass
started for an alert is publishing. The pass ends with one `error:` line (exit 5) or a finished
report; once Redis is back (its append-only file keeps the stream), the next pass decides what
was left, and no alert starts two runs and no task publishes twice.
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
from psycopg.rows import dict_row

from chimera.platform.bootstrap import bootstrap
from tests.conftest import ETHIOPIA
from tests.e2e.test_faults_runs import redis_pid
from tests.support.faults import env_for, finish, fresh_home, run_python, spawn
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow
PASS = ["-m", "chimera", "perceive", "--agent", ETHIOPIA, "--once", "--json",
        "--now", "2026-02-06T10:00:00Z", "--relevance-threshold", "0.5"]  # fmt: skip


async def rows(admin: str, sql: str) -> list[dict[str, Any]]:
    """Rows of an owner query (the test reads every tenant's tables)."""
    async with await psycopg.AsyncConnection.connect(admin, row_factory=dict_row) as conn:
        return list(await (await conn.execute(sql)).fetchall())


POSTS = (
    "SELECT tracking->>'campaign_id' AS campaign, tracking->>'task_id' AS task_id"
    " FROM social_posts WHERE tracking->>'campaign_id' LIKE 'cmp-%'"
)
ALERTS = "SELECT id, status, campaign_id FROM trend_alerts"


@pytest.mark.timeout(900)
async def test_redis_killed_mid_perception_is_one_line_and_the_next_pass_decides_each_alert_once(
    tmp_path: Path,
) -> None:
    """specs/faults.md §6.1, §4.3, §7 (Redis killed mid-perception)"""
    with fresh_home(tmp_path / "h") as settings:
        admin = (await asyncio.to_thread(bootstrap, settings)).pg_admin
        env = env_for(settings.home, CHIMERA_SANDBOX_LATENCY_MS="1500")
        proc = await spawn(PASS, env)

        async def first_post() -> bool:
            assert proc.returncode is None, "the pass ended before its run published"
            return bool(await rows(admin, POSTS))

        await eventually(first_post, 240, "the first post of a run started by the pass")
        os.kill(redis_pid(settings), signal.SIGKILL)
        killed = time.monotonic()
        result = await finish(proc, 180)
        took = time.monotonic() - killed
        print(f"pass ended {took:.1f}s after the kill (exit {result.code})")
        assert result.code in {0, 5}, result.err[-3000:]
        assert "Traceback" not in result.err, result.err[-3000:]
        assert "failed; left pending" not in result.err, "no alert is tried against a lost Redis"
        if result.code == 5:  # --json: the one error is the JSON document on stdout
            error = result.json()
            assert error["kind"] == "redis_unavailable" and error["hint"], error

        restarted = time.monotonic()
        again = await run_python(PASS, env, 600)  # restarts the embedded Redis from its AOF
        print(f"the next pass finished in {time.monotonic() - restarted:.1f}s")
        assert again.code == 0, again.err[-3000:]
        alerts = await rows(admin, ALERTS)
        assert alerts and {a["status"] for a in alerts} <= {"started", "ignored"}, alerts
        started = [a["campaign_id"] for a in alerts if a["status"] == "started"]
        assert len(started) == len(set(started))
        posts = [(p["campaign"], p["task_id"]) for p in await rows(admin, POSTS)]
        assert len(posts) == len(set(posts)), "a task was published twice"
        assert {c for c, _ in posts} <= set(started), "every run belongs to its alert"
