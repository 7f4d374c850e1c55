"""A long-running `chimera perceive --interval` keeps its agent present on the network: online
while it polls, offline once stopped (SIGTERM, exit 143).

Proves specs/network.md §2.4.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime

import psycopg
import pytest

from chimera.platform.bootstrap import bootstrap
from chimera.platform.settings import REPO_ROOT, Settings
from tests.conftest import ETHIOPIA, subprocess_env
from tests.support.waiting import eventually_sync

pytestmark = pytest.mark.slow


def _presence(admin: str) -> tuple[str, datetime] | None:
    """The agent's status and last publication in the network directory (read as the owner)."""
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute(
            "SELECT status, updated_at FROM openclaw_directory WHERE agent_id = %s", (ETHIOPIA,)
        ).fetchone()
    return None if row is None else (str(row[0]), row[1])


def test_a_polling_agent_is_online_and_goes_offline_when_stopped(settings: Settings) -> None:
    """specs/network.md §2.4"""
    admin, started = bootstrap(settings).pg_admin, datetime.now(UTC)
    args = ["--agent", ETHIOPIA, "--interval", "600", "--relevance-threshold", "1.0"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "chimera", "perceive", *args, "--now", "2026-02-06T10:00:00Z"],
        cwd=REPO_ROOT,
        env=subprocess_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def online() -> bool:
            seen = _presence(admin)
            return seen is not None and seen[0] == "online" and seen[1] >= started

        eventually_sync(online, deadline_s=180, what="the polling agent published online")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "marked offline" in err
    seen = _presence(admin)
    assert seen is not None and seen[0] == "offline"
