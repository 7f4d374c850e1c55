"""The plan contract: a task DAG as written by a planner, and its validation.

Planners (deterministic or LLM) emit `TaskDAG`; `validate_dag` rejects cycles, unknown
dependencies and oversized plans before anything is written (unknown task types already fail
model validation).
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from state.contracts import Priority, TaskType

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class PlanError(ValueError):
    """A plan that must not run: a cycle, an unknown dependency, or too many tasks."""


class PlannedTask(BaseModel):
    """One node of the DAG, addressed by a short key unique within the plan."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)

    key: Key
    task_type: TaskType
    priority: Priority = Priority.MEDIUM
    depends_on: Annotated[list[Key], Field(max_length=50)] = []
    params: dict[str, Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=dict, max_length=20
    )
    """Type-specific inputs, e.g. `platform`, `mention_id`."""


class TaskDAG(BaseModel):
    """A planner's output."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rationale: Annotated[str, Field(max_length=2000)] = ""
    tasks: Annotated[list[PlannedTask], Field(min_length=1, max_length=500)]


def validate_dag(dag: TaskDAG, *, max_tasks: int) -> list[str]:
    """Check a plan and return its keys in a valid execution order.

    Raises:
        PlanError: too many tasks, duplicate keys, unknown dependencies or a cycle.

    """
    if len(dag.tasks) > max_tasks:
        raise PlanError(f"plan has {len(dag.tasks)} tasks; the limit is max_tasks={max_tasks}")
    keys = [t.key for t in dag.tasks]
    if len(set(keys)) != len(keys):
        raise PlanError(f"plan repeats task keys: {sorted({k for k in keys if keys.count(k) > 1})}")
    known = set(keys)
    for task in dag.tasks:
        unknown = [d for d in task.depends_on if d not in known]
        if unknown:
            raise PlanError(f"task {task.key!r} depends on unknown tasks {unknown}")
    try:
        return list(TopologicalSorter({t.key: t.depends_on for t in dag.tasks}).static_order())
    except CycleError as exc:
        raise PlanError(f"plan has a dependency cycle: {' -> '.join(exc.args[1])}") from exc
