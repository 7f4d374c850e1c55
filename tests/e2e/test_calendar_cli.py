"""The calendar commands as operators run them: real subprocesses, JSON output, exit codes."""

from __future__ import annotations

import uuid

import pytest

from chimera.platform.settings import Settings
from tests.conftest import ETHIOPIA
from tests.e2e.test_cli import chimera

pytestmark = pytest.mark.slow
T = ("--tenant", "tenant-xyz")


def _operator(settings: Settings) -> str:
    email = f"ops-{uuid.uuid4().hex[:6]}@tenant-xyz.example"
    code, _, err = chimera(settings, "users", "add", *T, "--email", email, "--role", "admin")
    assert code == 0, err
    return email


def test_run_platform_override_publishes_only_there_and_lists_the_calendar(
    settings: Settings,
) -> None:
    """specs/calendar.md §4, specs/calendar.md §5.1"""
    goal = f"Promote the new Ethiopian summer fashion line on TikTok ({uuid.uuid4().hex[:6]})."
    run = ("run", "--agent", ETHIOPIA, "--goal", goal, "--platform", "instagram")
    code, summary, err = chimera(settings, *run)
    assert code == 0, err
    assert {p["platform"] for p in summary["published"]} == {"instagram"}
    assert summary["scheduled"] == []
    code, rows, err = chimera(
        settings, "posts", "list", *T, "--agent", ETHIOPIA, "--status", "published"
    )
    assert code == 0, err
    assert {p["post_id"] for p in summary["published"]} <= {r["post_id"] for r in rows}
    code, out, _ = chimera(settings, "posts", "list", *T, "--status", "gone")
    assert code == 2 and "status must be one of" in out["error"]
    code, out, _ = chimera(settings, "posts", "list", *T, "--from", "yesterday")
    assert code == 2 and "--from" in out["error"]


def test_a_paused_agent_starts_no_run_until_resumed(settings: Settings) -> None:
    """specs/calendar.md §5.2, specs/calendar.md §5.3"""
    user = ("--user", _operator(settings))
    code, out, err = chimera(settings, "agents", "pause", ETHIOPIA, *T, *user)
    assert code == 0 and out["status"] == "paused", err
    try:
        goal = f"Promote the new Ethiopian summer fashion line ({uuid.uuid4().hex[:6]})."
        code, out, _ = chimera(settings, "run", "--agent", ETHIOPIA, "--goal", goal)
        assert code == 2 and "paused" in out["error"]
    finally:
        code, out, err = chimera(settings, "agents", "resume", ETHIOPIA, *T, *user)
    assert code == 0 and out["status"] == "active", err
    code, out, _ = chimera(settings, "agents", "pause", "agent-nobody", *T, *user)
    assert code == 2 and "not found" in out["error"]


def test_cancel_and_reschedule_refuse_unknown_posts_and_bad_times(settings: Settings) -> None:
    """specs/calendar.md §5.1"""
    user = ("--user", _operator(settings))
    code, out, _ = chimera(settings, "posts", "cancel", "cal-unknown", *T, *user)
    assert code == 2 and "not found" in out["error"]
    code, out, _ = chimera(
        settings, "posts", "reschedule", "cal-unknown", "--at", "soon", *T, *user
    )
    assert code == 2 and "--at" in out["error"]
    code, out, _ = chimera(settings, "posts", "cancel", "cal-unknown", *T)
    assert code == 2 and "required" in out["error"]
