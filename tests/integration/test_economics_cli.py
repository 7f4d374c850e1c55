"""The economics commands as an operator runs them: `chimera wallet tip|income|caps`.

See specs/economics.md §2.4, §1.3. Each command is a `chimera` subprocess on this session's
services (its own wallet server process), checked by its JSON output and exit code.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import pytest

from chimera.platform.settings import REPO_ROOT
from chimera.resources import Services
from tests.conftest import subprocess_env
from tests.support.economics import fresh_agent
from tests.support.mcp import XYZ


async def _chimera(svc: Services, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = subprocess_env(svc.settings, CHIMERA_INCOME_CONFIRMATIONS="0")
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "chimera", *args, "--tenant", XYZ, "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )


def _ok(done: subprocess.CompletedProcess[bytes]) -> Any:
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


@pytest.mark.slow
async def test_a_cli_tip_is_listed_once_as_income_and_a_bad_amount_exits_2(
    svc: Services,
) -> None:
    """specs/economics.md §2.4, §1.3"""
    who = await fresh_agent(svc, XYZ)
    agent = ["--agent", who.agent_id]
    _ok(await _chimera(svc, "wallet", "create", *agent))
    tip = _ok(await _chimera(svc, "wallet", "tip", *agent, "--amount", "2.50"))
    for _ in range(2):  # the second run scans again and finds nothing new
        rows = _ok(await _chimera(svc, "wallet", "income", *agent))
        assert [(r["tx_hash"], r["amount"], r["purpose"]) for r in rows] == [
            (tip["tx_hash"], "2.50", "tip")
        ]
    bad = await _chimera(svc, "wallet", "caps", *agent, "--max-daily", "ten")
    assert bad.returncode == 2 and "decimal string" in json.loads(bad.stdout)["error"]
