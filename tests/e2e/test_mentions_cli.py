"""`chimera mentions list` as users run it: a real subprocess over the session's ledger."""

from __future__ import annotations

import asyncio

import pytest

from chimera.platform.settings import Settings
from chimera.resources import Services
from tests.conftest import ETHIOPIA
from tests.e2e.test_cli import chimera
from tests.support.platform import settle_mentions

pytestmark = pytest.mark.slow


@pytest.mark.timeout(600)
async def test_mentions_list_shows_the_tenants_decisions_and_refuses_a_bad_status(
    svc: Services, settings: Settings
) -> None:
    """specs/engagement.md §6.1"""
    await settle_mentions(svc, "tenant-xyz", ETHIOPIA, ["mention-cli-1", "mention-cli-2"])
    base = ["mentions", "list", "--tenant", "tenant-xyz", "--agent", ETHIOPIA]
    code, rows, err = await asyncio.to_thread(chimera, settings, *base, "--status", "ignored")
    assert code == 0, err
    assert {r["mention_id"] for r in rows} == {"mention-cli-1", "mention-cli-2"}
    assert {r["reason"] for r in rows} == {"answered elsewhere"}
    code, other, _ = await asyncio.to_thread(
        chimera, settings, "mentions", "list", "--tenant", "tenant-abc"
    )
    assert code == 0 and not {r["mention_id"] for r in other} & {"mention-cli-1"}
    code, refused, _ = await asyncio.to_thread(chimera, settings, *base, "--status", "maybe")
    assert code == 2 and "status must be one of" in refused["error"]
