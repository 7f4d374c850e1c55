"""Pure dispatch helpers: readiness, skipping, replan triggers (specs/technical.md §5.3, §5.8)."""

from __future__ import annotations

from typing import Any

import pytest

from nodes.dispatch import base_key, needs_replan, ready_tasks, skip_blocked, unresolved_rejections
from state.context import Context
from state.contracts import Task
from state.records import TaskStatus
from tests.support.builders import make_task

P, D, A = TaskStatus.PENDING, TaskStatus.DISPATCHED, TaskStatus.AWAITING_REVIEW
DONE, REJ, FAIL, SKIP = TaskStatus.DONE, TaskStatus.REJECTED, TaskStatus.FAILED, TaskStatus.SKIPPED


def _tasks(*specs: tuple[str, str, list[str]]) -> dict[str, Task]:
    """(task_id, priority, depends_on) -> tasks keyed by id, in plan order."""
    return {
        tid: make_task(task_id=tid, priority=prio, depends_on=deps, params={"key": tid})
        for tid, prio, deps in specs
    }


def test_dependents_of_a_rejected_task_are_skipped_transitively() -> None:
    """specs/technical.md §5.3 (a dependency ended `rejected` → `skipped`)"""
    tasks = _tasks(
        ("a", "high", []),
        ("b", "medium", ["a"]),
        ("c", "low", ["b"]),
        ("d", "low", []),
        ("e", "low", ["d"]),
    )
    status = {"a": REJ, "b": P, "c": P, "d": DONE, "e": P}
    assert skip_blocked(tasks, status) == {"b": SKIP, "c": SKIP}
    assert status == {"a": REJ, "b": P, "c": P, "d": DONE, "e": P}, "input must not be mutated"


@pytest.mark.parametrize("dep_status", [REJ, FAIL, SKIP])
def test_any_unsuccessful_dependency_skips_a_pending_task(dep_status: TaskStatus) -> None:
    """specs/technical.md §5.3 (`rejected` or `failed`)"""
    tasks = _tasks(("a", "high", []), ("b", "low", ["a"]))
    assert skip_blocked(tasks, {"a": dep_status, "b": P}) == {"b": SKIP}


def test_only_pending_tasks_are_skipped() -> None:
    """specs/technical.md §5.3, §5.1 (terminal statuses are final)"""
    tasks = _tasks(("a", "high", []), ("b", "low", ["a"]), ("c", "low", ["a"]))
    assert skip_blocked(tasks, {"a": FAIL, "b": A, "c": DONE}) == {}


def test_skip_blocked_follows_dependencies_declared_out_of_plan_order() -> None:
    """specs/technical.md §5.3 (transitive skip regardless of dict order)"""
    tasks = _tasks(("c", "low", ["b"]), ("b", "low", ["a"]), ("a", "high", []))
    assert skip_blocked(tasks, {"a": REJ, "b": P, "c": P}) == {"b": SKIP, "c": SKIP}


def test_ready_tasks_are_pending_with_every_dependency_done() -> None:
    """specs/technical.md §5.3 (ready when all dependencies are committed)"""
    tasks = _tasks(
        ("post", "high", []),
        ("r1", "low", ["post"]),
        ("r2", "low", ["post", "x"]),
        ("x", "medium", []),
        ("y", "medium", []),
    )
    status = {"post": DONE, "r1": P, "r2": P, "x": D, "y": A}
    assert [t.task_id for t in ready_tasks(tasks, status)] == ["r1"]


def test_ready_tasks_are_ordered_by_priority() -> None:
    """specs/technical.md §5.3 (by priority and then plan order)"""
    tasks = _tasks(
        ("low-1", "low", []),
        ("med-1", "medium", []),
        ("high-1", "high", []),
        ("med-2", "medium", []),
    )
    ready = ready_tasks(tasks, dict.fromkeys(tasks, P))
    assert [t.priority for t in ready] == ["high", "medium", "medium", "low"]
    assert ready[0].task_id == "high-1" and ready[-1].task_id == "low-1"


def test_ready_tasks_with_equal_priority_keep_plan_order() -> None:
    """specs/technical.md §5.3 (by priority and then plan order)"""
    tasks = _tasks(("task-f3a1", "low", []), ("task-09bc", "low", []), ("task-5d2e", "low", []))
    ready = ready_tasks(tasks, dict.fromkeys(tasks, P))
    assert [t.task_id for t in ready] == ["task-f3a1", "task-09bc", "task-5d2e"]


def test_base_key_strips_the_replan_suffix() -> None:
    """specs/technical.md §5.8 (replacement task with a derived id)"""

    def key_of(key: str) -> str:
        return base_key(make_task(task_id="task-1", params={"key": key}))

    assert key_of("post-tiktok-r1") == "post-tiktok"
    assert key_of("post-tiktok-r2") == "post-tiktok"
    assert key_of("post-tiktok") == "post-tiktok"


@pytest.mark.parametrize("key", ["post-reddit", "post-rumble"])
def test_base_key_keeps_platform_names_that_contain_dash_r(key: str) -> None:
    """specs/technical.md §5.8"""
    assert base_key(make_task(task_id="task-1", params={"key": key})) == key
    assert base_key(make_task(task_id="task-2", params={"key": f"{key}-r1"})) == key


def _state(tasks: dict[str, Task], status: dict[str, TaskStatus], replans: int = 0) -> Any:
    return {"tasks": tasks, "status": status, "replans": replans}


def _posts(*keys: str) -> dict[str, Task]:
    return {k: make_task(task_id=k, params={"key": k}) for k in keys}


def test_rejected_post_is_unresolved_until_a_replacement_is_done() -> None:
    """specs/technical.md §5.8"""
    tasks = _posts("post-tiktok", "post-instagram", "post-tiktok-r1")
    rejected_only = {"post-tiktok": REJ, "post-instagram": DONE, "post-tiktok-r1": P}
    assert unresolved_rejections(_state(tasks, rejected_only)) == {"post-tiktok"}
    replaced = {**rejected_only, "post-tiktok-r1": DONE}
    assert unresolved_rejections(_state(tasks, replaced)) == set()


def test_rejected_replies_are_not_replanned() -> None:
    """specs/technical.md §5.8; template planner (rejected replies are not retried)"""
    reply = make_task(task_id="reply-m1", task_type="reply_comment", params={"key": "reply-m1"})
    assert unresolved_rejections(_state({"reply-m1": reply}, {"reply-m1": REJ})) == set()


def test_replan_needed_only_with_unresolved_rejections_no_open_work_and_budget_left() -> None:
    """specs/technical.md §5.8 (at most `max_replans` per run)"""
    tasks = _posts("post-tiktok", "post-instagram")
    settled = {"post-tiktok": REJ, "post-instagram": DONE}
    ctx = Context(max_replans=2)
    assert needs_replan(_state(tasks, settled, replans=0), ctx)
    assert needs_replan(_state(tasks, settled, replans=1), ctx)
    assert not needs_replan(_state(tasks, settled, replans=2), ctx)
    assert not needs_replan(_state(tasks, settled), Context(max_replans=0))
    for open_status in (P, D, A):
        busy = {"post-tiktok": REJ, "post-instagram": open_status}
        assert not needs_replan(_state(tasks, busy), ctx), open_status
    assert not needs_replan(_state(tasks, {"post-tiktok": DONE, "post-instagram": DONE}), ctx)
