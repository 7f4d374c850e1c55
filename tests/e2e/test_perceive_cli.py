"""`chimera perceive` as users run it: a real subprocess, JSON output, exit codes.

Proves specs/functional.md §7.4 from the command line.
"""

from __future__ import annotations

import pytest

from chimera.platform.settings import Settings
from tests.conftest import ETHIOPIA
from tests.e2e.test_cli import chimera

pytestmark = pytest.mark.slow


def test_perceive_once_reports_the_trends_of_the_window(settings: Settings) -> None:
    """specs/functional.md §7.4"""
    code, out, err = chimera(
        settings,
        "perceive",
        "--agent",
        ETHIOPIA,
        "--once",
        "--now",
        "2026-02-06T10:00:00Z",
        "--relevance-threshold",
        "1.0",
    )
    assert code == 0, err
    assert len(out["detected"]) >= 1
    assert set(out["outcomes"].values()) <= {"ignored"}
    assert out["runs"] == {}


@pytest.mark.parametrize(
    "args",
    [
        ("--agent", ETHIOPIA),
        ("--agent", ETHIOPIA, "--once", "--interval", "5"),
        ("--agent", ETHIOPIA, "--once", "--now", "yesterday"),
    ],
)
def test_perceive_with_bad_options_exits_2_with_a_clear_error(
    settings: Settings, args: tuple[str, ...]
) -> None:
    """specs/functional.md §7.4"""
    code, out, _ = chimera(settings, "perceive", *args)
    assert code == 2 and out["error"]
