"""A `langgraph dev` server shared by the server API tests (started on first use)."""

from __future__ import annotations

import json
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

from chimera.platform.settings import DEV_API_KEYS, REPO_ROOT, Settings
from tests.conftest import subprocess_env

KEY_XYZ, KEY_ABC, REVIEWER_KEY_XYZ, REVIEWER_KEY_ABC = list(DEV_API_KEYS)
"""The documented development keys of tenant-xyz and tenant-abc, then their reviewer-bound keys."""
KEY_XYZ_AS_ABC_USER = "test-key-tenant-xyz-as-abc-reviewer"
"""A misconfigured key: tenant-xyz, bound to a user of tenant-abc."""
KEY_XYZ_AS_OPERATOR = "test-key-tenant-xyz-as-operator"
"""A key of tenant-xyz bound to a user without the reviewer role."""
OPERATOR_XYZ = "ops-served@tenant-xyz.example"
SERVER_API_KEYS = {
    **DEV_API_KEYS,
    KEY_XYZ_AS_ABC_USER: "tenant-xyz:reviewer@tenant-abc.local",
    KEY_XYZ_AS_OPERATOR: f"tenant-xyz:{OPERATOR_XYZ}",
}


def free_port() -> int:
    """A free TCP port on 127.0.0.1 chosen by the OS."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"langgraph dev exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/ok", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)  # polling a starting server's socket, not waiting on test state
    pytest.fail(f"langgraph dev did not start:\n{log.read_text()[-3000:]}")


def server_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a `langgraph dev` process on this session's services (no tracing)."""
    env = subprocess_env(
        settings,
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        LANGGRAPH_NO_VERSION_CHECK="1",
        CHIMERA_API_KEYS=json.dumps(SERVER_API_KEYS),
        **extra,
    )
    for name in [k for k in env if k.startswith(("LANGSMITH_", "LANGCHAIN_"))]:
        del env[name]
    return env


def start_server(
    env: dict[str, str], log: Path, port: int, cwd: Path = REPO_ROOT
) -> subprocess.Popen[bytes]:
    """Start `langgraph dev` on `port` in `cwd` (its in-memory run store lives there); wait ready.

    The server runs in its own session, so a test can signal it (or its whole group) alone.
    """
    langgraph = str(Path(sys.executable).parent / "langgraph")
    args = ["dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(port)]
    if cwd != REPO_ROOT:
        args += ["--config", str(cwd / "langgraph.json")]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [langgraph, *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(proc, f"http://127.0.0.1:{port}", log)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    return proc


@pytest.fixture(scope="session")
def server_url(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `langgraph dev` process on a free port (never 2024), stopped after the session."""
    port = free_port()
    log = tmp_path_factory.mktemp("langgraph") / "server.log"
    proc = start_server(server_env(settings), log, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    assert "Blocking call" not in log.read_text(), "a node blocked the server's event loop"
