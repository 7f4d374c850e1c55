"""SIGTERM to the LangGraph server mid-run: it drains, and a restarted server finishes the run once.

The server runs in its own working directory (its in-memory run store lives there), so a restart
finds the run it was told to stop; checkpoints and side effects live in the session's Postgres.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from chimera.mcp.host import SERVERS
from chimera.platform.settings import REPO_ROOT, Settings
from chimera.resources import Services
from tests.e2e.conftest import KEY_XYZ, free_port, server_env, start_server
from tests.e2e.test_langgraph_server import DEFAULT_REVIEWER
from tests.support.platform import checkpoint_rows, platform_posts
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow
DRAIN_LIMIT_S = 30


def served_dir(tmp_path: Path) -> Path:
    """A working directory with `langgraph.json` pointing at this repository by absolute paths."""
    config = json.loads((REPO_ROOT / "langgraph.json").read_text())

    def absolute(spec: str) -> str:
        return str(REPO_ROOT / spec[2:]) if spec.startswith("./") else spec

    config["dependencies"] = [str(REPO_ROOT)]
    config["graphs"] = {name: absolute(spec) for name, spec in config["graphs"].items()}
    for key in ("checkpointer", "auth"):
        config[key]["path"] = absolute(config[key]["path"])
    config["http"]["app"] = absolute(config["http"]["app"])
    workdir = tmp_path / "served"
    workdir.mkdir()
    (workdir / "langgraph.json").write_text(json.dumps(config))
    return workdir


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Whether `pid` is a running (not zombie) process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cmdline(pid: int) -> str:
    """A process's command line (empty once it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


async def checkpoints_of(svc: Services, thread_id: str) -> int:
    """How many checkpoints Postgres holds for a server thread (read as the owner)."""
    return (await checkpoint_rows(svc, thread_id))["checkpoints"]


async def approve_until_done(client: LangGraphClient, thread_id: str) -> dict[str, Any]:
    """Approve every review the run pauses on until the thread is finished; its final state."""
    while True:
        thread = await client.threads.get(thread_id)
        if thread["status"] == "busy":
            await asyncio.sleep(0.2)  # a server run in another process: poll its status
            continue
        state = await client.threads.get_state(thread_id)
        if not state["interrupts"]:
            return dict(state["values"])
        resume = {
            i["id"]: {"decision": "approve", "user_id": DEFAULT_REVIEWER}
            for i in state["interrupts"]
        }
        await client.runs.wait(thread_id, "campaign", command={"resume": resume})


async def test_sigterm_mid_run_drains_the_server_and_a_restart_finishes_the_run_once(
    svc: Services, settings: Settings, tmp_path: Path
) -> None:
    """specs/faults.md §5.4, §7 (SIGTERM to the LangGraph server)"""
    workdir, log, port = served_dir(tmp_path), tmp_path / "server.log", free_port()
    env = server_env(settings, CHIMERA_SANDBOX_LATENCY_MS="3000")
    proc = await asyncio.to_thread(start_server, env, log, port, workdir)
    url = f"http://127.0.0.1:{port}"
    campaign = f"cmp-drain-{uuid.uuid4().hex[:6]}"
    client = get_client(url=url, api_key=KEY_XYZ)
    thread_id = (await client.threads.create())["thread_id"]
    goal = "Promote the new Ethiopian summer fashion line (server drain)."
    request = {"tenant_id": "tenant-xyz", "agent_id": "agent-ethiopia-fashion-001",
               "goal": goal, "campaign_id": campaign}  # fmt: skip
    await client.runs.create(thread_id, "campaign", input=request)

    async def first_post() -> bool:
        assert proc.poll() is None, log.read_text()[-3000:]
        return bool(await platform_posts(svc, "tenant-xyz", campaign))

    await eventually(first_post, 150, "the first post")
    children = descendants(proc.pid)
    servers = [cmdline(pid) for pid in children if "-m servers." in cmdline(pid)]
    assert len(servers) == len(set(servers)) == len(SERVERS), f"one set of MCP servers: {servers}"
    signalled = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(proc.wait, DRAIN_LIMIT_S + 30)
    took = time.monotonic() - signalled
    print(f"server drained in {took:.1f}s (exit {code})")
    assert took < DRAIN_LIMIT_S, f"draining took {took:.1f}s"
    assert code in (0, -signal.SIGTERM), code  # uvicorn re-raises the signal once drained
    orphans = {pid: cmdline(pid) for pid in children if alive(pid)}
    assert not orphans, f"processes outlived the server: {orphans}"
    assert await checkpoints_of(svc, thread_id) > 0, "the run's steps are checkpointed"
    text = log.read_text()
    assert "Background run failed, will retry" in text, "the run in flight was left to retry"

    restarted = time.monotonic()
    proc = await asyncio.to_thread(start_server, env, log, port, workdir)
    try:
        final = await asyncio.wait_for(approve_until_done(client, thread_id), 300)
        print(f"restarted and finished in {time.monotonic() - restarted:.1f}s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 60)
    assert set(final["report"]["tasks"].values()) == {"done"}
    posts = await platform_posts(svc, "tenant-xyz", campaign)
    task_ids = [p["task_id"] for p in posts]
    assert len(task_ids) == len(set(task_ids)) == len(final["report"]["published"])
