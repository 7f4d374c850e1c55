"""`chimera network ... --json` as operators run it (specs/network.md §5.4)."""

from __future__ import annotations

import uuid

import pytest

from chimera.platform.settings import Settings
from tests.e2e.test_cli import chimera

pytestmark = pytest.mark.slow


@pytest.mark.timeout(600)
def test_policy_lock_proposals_and_unlock_through_the_cli(settings: Settings) -> None:
    """specs/network.md §5.2, §5.4"""
    tenant = f"tenant-net-{uuid.uuid4().hex[:8]}"
    scope = ("--tenant", tenant)
    code, row, err = chimera(settings, "network", "policy", *scope, "--sharing", "network")
    assert code == 0 and row == {"tenant_id": tenant, "sharing": "network",
                                 "collab_review": "always"}, err  # fmt: skip
    lock = ("network", "lock", *scope, "--user", "ops@net", "agent-x", "--reason", "audit")
    code, row, err = chimera(settings, *lock)
    assert code == 0 and row["locked"] is True, err
    code, rows, err = chimera(settings, "network", "proposals", *scope)
    assert code == 0 and rows == [], err
    code, row, _ = chimera(settings, "network", "unlock", *scope, "agent-x")
    assert code == 0 and row == {"agent_id": "agent-x", "locked": False}
    code, row, _ = chimera(settings, "network", "unlock", *scope, "agent-x")
    assert code == 2 and "not locked" in row["error"]
    code, row, _ = chimera(settings, "network", "policy", *scope, "--sharing", "everyone")
    assert code == 2
