"""`langgraph dev` serves the campaign graph with Postgres checkpoints; driven through the SDK."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from langgraph_sdk import get_client

from chimera.reviewers import default_reviewer_email, user_id_for
from chimera.settings import REPO_ROOT, Settings
from tests.conftest import subprocess_env

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `langgraph dev` process on a free port (never 2024), stopped after the module."""
    port = free_port()
    log = tmp_path_factory.mktemp("langgraph") / "server.log"
    env = subprocess_env(settings, LANGGRAPH_CLI_NO_ANALYTICS="1", LANGGRAPH_NO_VERSION_CHECK="1")
    langgraph = str(Path(sys.executable).parent / "langgraph")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                langgraph,
                "dev",
                "--no-browser",
                "--no-reload",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"langgraph dev exited:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/ok", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail(f"langgraph dev did not start:\n{log.read_text()[-3000:]}")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    assert "Blocking call" not in log.read_text(), "a node blocked the server's event loop"


DEFAULT_REVIEWER = user_id_for("tenant-xyz", default_reviewer_email("tenant-xyz"))


async def test_a_campaign_runs_pauses_and_resumes_through_the_server_api(server_url: str) -> None:
    """specs/technical.md §7, specs/functional.md §10"""
    client = get_client(url=server_url)
    thread = await client.threads.create()
    goal = "Promote the new Ethiopian summer fashion line on TikTok (served)."
    payload = {"tenant_id": "tenant-xyz", "agent_id": "agent-ethiopia-fashion-001", "goal": goal}
    nodes: list[str] = []
    async for event in client.runs.stream(
        thread["thread_id"], "campaign", input=payload, stream_mode="updates"
    ):
        if event.event == "updates":
            nodes.extend(event.data)
        assert event.event != "error", event.data
    assert {"load_context", "plan", "work", "judge", "commit", "__interrupt__"} <= set(nodes)
    state = await client.threads.get_state(thread["thread_id"])
    assert state["next"] == ["review"]
    [pending] = state["interrupts"]
    assert pending["value"]["review"]["risk_category"] == "finance_medium"
    final = await client.runs.wait(
        thread["thread_id"],
        "campaign",
        command={"resume": {pending["id"]: {"decision": "approve", "user_id": DEFAULT_REVIEWER}}},
    )
    report = final["report"]
    assert report["pending_reviews"] == []
    assert len(report["published"]) == 5
    assert set(report["tasks"].values()) == {"done"}
