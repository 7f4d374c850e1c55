"""Task and Artifact payload contracts (specs/technical.md §2.2, §2.3, §9)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from state.contracts import Artifact, Task, TaskType
from tests.support.builders import error_locs, make_artifact, task_dict

# --- Task (§2.2) ---


def test_task_with_the_contract_example_values_validates_and_round_trips() -> None:
    """specs/technical.md §2.2 (contract example values)"""
    task = Task.model_validate(task_dict())
    assert task.task_type == "generate_caption"
    assert task.priority == "high"
    assert Task.model_validate(task.model_dump(mode="json")) == task


def test_task_without_tenant_id_is_rejected_naming_the_field() -> None:
    """specs/technical.md §2.2 (`tenant_id` is mandatory), §2.1 (Tenancy)"""
    data = task_dict()
    del data["tenant_id"]
    with pytest.raises(ValidationError) as exc:
        Task.model_validate(data)
    assert ("tenant_id",) in error_locs(exc)


@pytest.mark.parametrize("tenant", ["", "tenant xyz", "-tenant", "t" * 129])
def test_task_with_malformed_tenant_id_is_rejected(tenant: str) -> None:
    """specs/technical.md §2.1 (Ids match the id pattern, ≤ 128 characters)"""
    with pytest.raises(ValidationError):
        Task.model_validate(task_dict(tenant_id=tenant))


def test_task_rejects_a_task_type_outside_the_controlled_enum() -> None:
    """specs/technical.md §2.2 (`task_type`), §9"""
    with pytest.raises(ValidationError) as exc:
        Task.model_validate(task_dict(task_type="post_meme"))
    assert ("task_type",) in error_locs(exc)


def test_task_accepts_exactly_the_eight_task_types() -> None:
    """specs/technical.md §2.2, §9"""
    expected = {
        "generate_caption",
        "render_image",
        "render_video",
        "publish_post",
        "reply_comment",
        "detect_trends",
        "execute_transaction",
        "update_memory",
    }
    assert {t.value for t in TaskType} == expected
    for task_type in expected:
        assert Task.model_validate(task_dict(task_type=task_type)).task_type == task_type


def test_task_rejects_a_priority_outside_high_medium_low() -> None:
    """specs/technical.md §2.2 (`priority`), §9"""
    with pytest.raises(ValidationError):
        Task.model_validate(task_dict(priority="urgent"))


def test_task_rejects_unknown_fields() -> None:
    """specs/technical.md §2 (contracts reject unknown fields)"""
    with pytest.raises(ValidationError):
        Task.model_validate(task_dict(owner="someone"))


@pytest.mark.parametrize("description", ["", "x" * 2001])
def test_task_goal_description_must_be_1_to_2000_characters(description: str) -> None:
    """specs/technical.md §2.1 (bounded sizes), §2.2 (`goal`)"""
    goal = {**task_dict()["goal"], "goal_description": description}
    with pytest.raises(ValidationError) as exc:
        Task.model_validate(task_dict(goal=goal))
    assert ("goal", "goal_description") in error_locs(exc)


def test_task_goal_description_of_exactly_2000_characters_is_accepted() -> None:
    """specs/technical.md §2.1 (bounded sizes), §2.2"""
    goal = {**task_dict()["goal"], "goal_description": "x" * 2000}
    assert len(Task.model_validate(task_dict(goal=goal)).goal.goal_description) == 2000


def test_task_needs_at_least_one_success_criterion() -> None:
    """specs/technical.md §2.2 (`goal {..., success_criteria[]}`); specs/functional.md §2.1"""
    goal = {**task_dict()["goal"], "success_criteria": []}
    with pytest.raises(ValidationError):
        Task.model_validate(task_dict(goal=goal))


def test_task_deadline_earlier_than_created_at_is_rejected() -> None:
    """specs/technical.md §2.2 (`deadline` not earlier than `created_at`)"""
    with pytest.raises(ValidationError):
        Task.model_validate(task_dict(deadline="2026-02-06T09:59:59Z"))


# --- Artifact (§2.3) ---


def test_artifact_rejects_a_negative_snapshot_version_and_unknown_type() -> None:
    """specs/technical.md §2.3 (`artifact_type`, `state_snapshot_version`)"""
    good = make_artifact("hello #AIcreator").model_dump(mode="json")
    with pytest.raises(ValidationError):
        Artifact.model_validate({**good, "state_snapshot_version": -1})
    with pytest.raises(ValidationError):
        Artifact.model_validate({**good, "artifact_type": "meme"})
    assert Artifact.model_validate(good).state_snapshot_version == 1
