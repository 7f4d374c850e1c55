"""A finished run explains every task (specs/governance.md §3.1)."""

from __future__ import annotations

from typing import Any

from nodes.report import explained
from state.records import Rejection, TaskStatus
from tests.support.builders import make_task


def test_every_task_ends_explained_and_none_stays_pending() -> None:
    """specs/governance.md §3.1"""
    tasks = {
        tid: make_task(task_id=tid, depends_on=deps, params={"key": f"key-{tid}"})
        for tid, deps in (("a", []), ("b", ["a"]), ("c", []), ("d", []))
    }
    state: Any = {
        "tasks": tasks,
        "status": {
            "a": TaskStatus.REJECTED,
            "b": TaskStatus.SKIPPED,
            "c": TaskStatus.DONE,
            "d": TaskStatus.PENDING,
        },
        "rejections": [Rejection(task_id="a", reason="Missing AI disclosure.", by="reviewer")],
    }
    ended = explained(state)
    assert ended["a"] == (TaskStatus.REJECTED, "reviewer: Missing AI disclosure.")
    assert ended["b"][0] == TaskStatus.SKIPPED and "key-a (rejected)" in ended["b"][1]
    assert ended["c"] == (TaskStatus.DONE, "")
    assert ended["d"][0] == TaskStatus.FAILED and "never finished (pending)" in ended["d"][1]
