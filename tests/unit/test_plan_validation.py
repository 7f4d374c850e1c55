"""Plan contract and validation (specs/technical.md §5.2)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from state.plan import PlanError, PlannedTask, TaskDAG, validate_dag


def _dag(*tasks: dict[str, Any]) -> TaskDAG:
    return TaskDAG.model_validate({"rationale": "test", "tasks": list(tasks)})


def _t(key: str, *deps: str, task_type: str = "publish_post") -> dict[str, Any]:
    return {"key": key, "task_type": task_type, "depends_on": list(deps)}


def test_valid_plan_returns_a_topological_order() -> None:
    """specs/technical.md §5.2"""
    dag = _dag(
        _t("reply-b", "post-tiktok", task_type="reply_comment"),
        _t("caption"),
        _t("post-tiktok", "caption"),
        _t("reply-a", "post-tiktok", task_type="reply_comment"),
    )
    order = validate_dag(dag, max_tasks=20)
    assert sorted(order) == ["caption", "post-tiktok", "reply-a", "reply-b"]
    for task in dag.tasks:
        for dep in task.depends_on:
            assert order.index(dep) < order.index(task.key)


def test_plan_with_a_cycle_is_rejected_with_the_cycle_named() -> None:
    """specs/technical.md §5.2 (a cycle; the error names it)"""
    dag = _dag(_t("a", "c"), _t("b", "a"), _t("c", "b"), _t("d"))
    with pytest.raises(PlanError, match="cycle") as exc:
        validate_dag(dag, max_tasks=20)
    named = str(exc.value).split(":", 1)[1].strip().split(" -> ")
    assert set(named) == {"a", "b", "c"}
    assert named[0] == named[-1]


def test_task_depending_on_itself_is_a_cycle() -> None:
    """specs/technical.md §5.2 (a cycle)"""
    with pytest.raises(PlanError, match=r"cycle.*solo"):
        validate_dag(_dag(_t("solo", "solo")), max_tasks=20)


def test_plan_with_an_unknown_dependency_is_rejected_naming_it() -> None:
    """specs/technical.md §5.2 (an unknown dependency)"""
    with pytest.raises(PlanError, match=r"'post-tiktok'.*ghost"):
        validate_dag(_dag(_t("post-tiktok", "ghost")), max_tasks=20)


def test_plan_with_duplicate_keys_is_rejected_naming_them() -> None:
    """specs/technical.md §5.2 (a duplicate id)"""
    with pytest.raises(PlanError, match=r"repeats.*post-tiktok"):
        validate_dag(_dag(_t("post-tiktok"), _t("post-x"), _t("post-tiktok")), max_tasks=20)


def test_plan_larger_than_max_tasks_is_rejected_with_the_limit() -> None:
    """specs/technical.md §5.2 (more than `max_tasks` tasks), §5.10"""
    dag = _dag(*(_t(f"t{i}") for i in range(4)))
    with pytest.raises(PlanError, match=r"4 tasks.*max_tasks=3"):
        validate_dag(dag, max_tasks=3)
    assert len(validate_dag(dag, max_tasks=4)) == 4


def test_plan_with_an_unknown_task_type_fails_model_validation() -> None:
    """specs/technical.md §5.2 (an unknown `task_type`), §2.2"""
    with pytest.raises(ValidationError):
        _dag(_t("post-tiktok", task_type="launch_rocket"))


def test_plan_rejects_unknown_fields_and_an_empty_task_list() -> None:
    """specs/technical.md §2 (reject unknown fields), §5.2"""
    with pytest.raises(ValidationError):
        TaskDAG.model_validate({"tasks": [{**_t("a"), "owner": "me"}]})
    with pytest.raises(ValidationError):
        TaskDAG.model_validate({"tasks": []})


@pytest.mark.parametrize("key", ["Post", "post tiktok", "-post", "", "p" * 65, "post:tiktok"])
def test_planned_task_keys_are_short_lowercase_slugs(key: str) -> None:
    """specs/technical.md §2.1 (Ids), §5.2"""
    with pytest.raises(ValidationError):
        PlannedTask.model_validate(_t(key))
