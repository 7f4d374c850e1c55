"""Named reducers of the campaign graph state (specs/technical.md §5.1 State, §5.8)."""

from __future__ import annotations

from state.graph import append_rejections, merge_by_key, merge_status
from state.records import TERMINAL, Rejection, TaskStatus

P, D, A = TaskStatus.PENDING, TaskStatus.DISPATCHED, TaskStatus.AWAITING_REVIEW
DONE, REJ, FAIL, SKIP = TaskStatus.DONE, TaskStatus.REJECTED, TaskStatus.FAILED, TaskStatus.SKIPPED


def test_merge_by_key_keeps_both_sides_and_the_newer_value_wins() -> None:
    """specs/technical.md §5.1 (task records merge by `task_id`)"""
    assert merge_by_key({"a": 1, "b": 2}, {"b": 3, "c": 4}) == {"a": 1, "b": 3, "c": 4}


def test_merge_by_key_tolerates_missing_sides_and_does_not_mutate_inputs() -> None:
    """specs/technical.md §5.1 (pure, named reducers)"""
    left = {"a": 1}
    assert merge_by_key(None, None) == {}
    assert merge_by_key(left, None) == {"a": 1}
    assert merge_by_key(None, {"b": 2}) == {"b": 2}
    merged = merge_by_key(left, {"a": 9})
    assert left == {"a": 1} and merged == {"a": 9}


def test_merge_status_advances_non_terminal_statuses() -> None:
    """specs/technical.md §5.1 (task statuses)"""
    assert merge_status({"t": P}, {"t": D}) == {"t": D}
    assert merge_status({"t": D}, {"t": A}) == {"t": A}
    assert merge_status({"t": A}, {"t": DONE}) == {"t": DONE}


def test_merge_status_keeps_a_terminal_status_against_late_writes() -> None:
    """specs/technical.md §5.1 (a terminal status is final)"""
    for terminal in (DONE, REJ, FAIL, SKIP):
        for late in (D, A, DONE, REJ, FAIL, SKIP):
            if late is terminal:
                continue
            assert merge_status({"t": terminal}, {"t": late}) == {"t": terminal}, (terminal, late)


def test_merge_status_allows_a_terminal_task_to_be_reset_to_pending() -> None:
    """specs/technical.md §5.4 (stale artifact re-dispatched), §5.8 (replan)"""
    assert merge_status({"t": REJ}, {"t": P}) == {"t": P}


def test_merge_status_accepts_string_values_from_checkpoints() -> None:
    """specs/technical.md §5.7 (state restored from Postgres checkpoints)"""
    merged = merge_status({"t": "done", "u": "pending"}, {"t": "dispatched", "u": "dispatched"})
    assert merged == {"t": DONE, "u": D}
    assert merged["u"] is D


def test_merge_status_handles_parallel_branches_touching_different_tasks() -> None:
    """specs/technical.md §5.1 (per-task Sends)"""
    assert merge_status({"a": D, "b": D}, {"b": DONE, "c": P}) == {"a": D, "b": DONE, "c": P}
    assert merge_status(None, None) == {}


def test_terminal_statuses_are_exactly_done_rejected_failed_skipped() -> None:
    """specs/technical.md §5.1 (Ending: every task terminal)"""
    assert {DONE, REJ, FAIL, SKIP} == TERMINAL


def test_append_rejections_appends_and_drops_duplicates() -> None:
    """specs/technical.md §5.8 (rejections fed back to the planner); §5.7 (re-executed nodes)"""
    r1 = Rejection(task_id="task-1", reason="Touches politics.", by="judge")
    r2 = Rejection(task_id="task-2", reason="Too long.", by="judge")
    same_as_r1 = Rejection(task_id="task-1", reason="Touches politics.", by="judge")
    other_reason = Rejection(task_id="task-1", reason="Off-brand.", by="reviewer")
    merged = append_rejections([r1], [same_as_r1, r2, r2, other_reason])
    assert merged == [r1, r2, other_reason]
    assert append_rejections(None, None) == []
