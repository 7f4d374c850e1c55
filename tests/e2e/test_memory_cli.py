"""`chimera memory add|search|stats --json` as users run it (specs/functional.md §8.6)."""

from __future__ import annotations

import uuid

import pytest

from chimera.platform.settings import Settings
from tests.e2e.test_cli import chimera

pytestmark = pytest.mark.slow


@pytest.mark.timeout(600)
def test_add_search_and_stats_through_the_cli(settings: Settings) -> None:
    tenant = f"tenant-cli-{uuid.uuid4().hex[:8]}"
    add = ("memory", "add", "--tenant", tenant, "--agent", "agent-cli", "--source-type", "post")
    code, first, err = chimera(settings, *add, "Handwoven netela for Meskel evenings")
    assert code == 0 and first["status"] == "created", err

    code, hits, _ = chimera(settings, "memory", "search", "woven scarves", "--tenant", tenant)
    assert code == 0 and [h["memory_id"] for h in hits] == [first["memory_id"]]

    code, stats, _ = chimera(settings, "memory", "stats", "--tenant", tenant)
    assert code == 0 and stats == {"total": 1, "by_source_type": {"post": 1}, "dimension": 384}


def test_invalid_input_is_a_clear_error_and_exit_code_2(settings: Settings) -> None:
    code, out, _ = chimera(
        settings,
        "memory",
        "add",
        "x",
        "--tenant",
        "tenant-abc",
        "--agent",
        "a",
        "--source-type",
        "tweet",
    )
    assert code == 2 and "source_type" in out["error"]
