"""Campaign and thread ids are tenant-owned (specs/security.md §2).

tenant-abc's paused run must survive tenant-xyz naming its campaign id: through the library and
through the `chimera run` CLI, the attempt is refused as not-found before any checkpoint is
written, and abc's run goes on as before.
"""

from __future__ import annotations

import asyncio
import json
import sys

import psycopg
import pytest

from chimera.control.errors import CampaignNotFound
from chimera.platform.settings import REPO_ROOT
from chimera.resources import Services
from chimera.runs.runner import run_campaign
from tests.conftest import ETHIOPIA, LAGOS, subprocess_env
from tests.support.platform import checkpoint_rows


async def _rows(svc: Services, campaign_id: str) -> dict[str, int]:
    """Checkpoint rows per table of every thread whose id names the campaign (any tenant)."""
    return await checkpoint_rows(svc, f"%{campaign_id}%")


async def test_another_tenants_campaign_id_is_refused_before_anything_is_written(
    svc: Services, goal: str
) -> None:
    """specs/security.md §2.1, §2.2"""
    abc = await run_campaign(svc, agent_id=LAGOS, goal=goal)
    assert abc.thread_id.startswith("tenant-abc.")
    before = await _rows(svc, abc.campaign_id)
    assert all(before.values())
    with pytest.raises(CampaignNotFound, match="not found"):
        await run_campaign(svc, agent_id=ETHIOPIA, goal=goal, campaign_id=abc.campaign_id)
    proc = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "chimera", "run", "--agent", ETHIOPIA, "--goal", goal],
        *["--campaign", abc.campaign_id, "--json"],
        cwd=str(REPO_ROOT),
        env=subprocess_env(svc.settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=300)
    assert proc.returncode == 2, (out + err).decode()
    assert "not found" in json.dumps(out.decode() + err.decode())
    assert await _rows(svc, abc.campaign_id) == before
    again = await run_campaign(svc, agent_id=LAGOS, goal=goal)
    assert again.thread_id == abc.thread_id and again.state == abc.state


async def test_the_runtime_role_cannot_read_or_rewrite_the_migration_ledger(svc: Services) -> None:
    """specs/security.md §2.3"""
    for statement in (
        "SELECT count(*) FROM schema_migrations",
        "DELETE FROM schema_migrations",
        "UPDATE schema_migrations SET checksum = 'x'",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            async with svc.pool.connection() as conn:
                await conn.execute(statement)
