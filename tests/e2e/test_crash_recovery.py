"""A run killed with SIGKILL mid-fan-out continues from its checkpoint.

Nothing is lost and nothing is published twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import pytest

from chimera.platform.settings import REPO_ROOT, Settings
from chimera.resources import Services
from chimera.runs.runner import run_campaign
from chimera.runs.threads import compile_graph
from tests.conftest import ETHIOPIA, subprocess_env
from tests.support.platform import platform_posts, scalar
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow
GOAL = "Promote the new Ethiopian summer fashion line (crash test)."
CAMPAIGN = "cmp-crash-recovery"


async def test_a_killed_run_resumes_from_its_checkpoint_without_duplicates(
    svc: Services, settings: Settings
) -> None:
    """specs/technical.md §5.7, §5.6"""
    env = subprocess_env(settings, CHIMERA_SANDBOX_LATENCY_MS="3000")
    cmd = [
        sys.executable,
        "-m",
        "chimera",
        "run",
        "--agent",
        ETHIOPIA,
        "--goal",
        GOAL,
        "--campaign",
        CAMPAIGN,
        "--json",
    ]
    proc = await asyncio.create_subprocess_exec(
        *cmd,
        cwd=REPO_ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        async def first_post() -> bool:
            return bool(await platform_posts(svc, "tenant-xyz", CAMPAIGN))

        await eventually(first_post, 90, "the first post")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        await asyncio.wait_for(proc.wait(), timeout=30)
    assert proc.returncode == -signal.SIGKILL

    graph = compile_graph(svc)
    thread_id = await scalar(
        svc, "tenant-xyz", "SELECT thread_id FROM threads WHERE campaign_id = %s", CAMPAIGN
    )
    killed = await graph.aget_state({"configurable": {"thread_id": thread_id}})
    unfinished = [t for t in killed.tasks if not t.interrupts and t.result is None]
    assert unfinished, "the run must be killed with fanned-out tasks still running"

    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=GOAL, campaign_id=CAMPAIGN)
    assert summary.thread_id == thread_id
    assert "Continued" in summary.note
    assert summary.state == "paused" and len(summary.pending_reviews) == 1
    posts = await platform_posts(svc, "tenant-xyz", CAMPAIGN)
    task_ids = [p["task_id"] for p in posts]
    assert len(task_ids) == len(set(task_ids)), "a task was published twice"
    done = [t for t in summary.tasks if t["status"] == "done"]
    assert sorted(task_ids) == sorted(t["task_id"] for t in done)
    assert len(posts) == 4
