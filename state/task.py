"""The Task contract (CONTRACTS §2.1): what a worker gets from the planner, with its goal."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from state.contract_base import Contract, Labels, Priority, TaskType
from state.types import Id, ShortText, UtcTimestamp, parse_utc


class TaskGoal(Contract):
    """The campaign goal a task serves; enough for a worker to act deterministically."""

    campaign_id: Id
    goal_description: Annotated[str, Field(min_length=1, max_length=2000)]
    success_criteria: Annotated[list[ShortText], Field(min_length=1, max_length=20)]


class PersonaConstraints(Contract):
    """The persona rules a worker must respect (from SOUL.md)."""

    voice: Labels = []
    forbidden_topics: Labels = []
    tone_notes: Annotated[str, Field(max_length=1000)] = ""


class RecentPost(Contract):
    """A post the agent already published, given as context."""

    post_id: Id
    platform: ShortText
    summary: Annotated[str, Field(max_length=500)]


class TaskContext(Contract):
    """Optional context travelling with a task."""

    trend_alert_ids: Annotated[list[Id], Field(max_length=50)] = []
    recent_posts: Annotated[list[RecentPost], Field(max_length=50)] = []


class Task(Contract):
    """Planner -> Worker (CONTRACTS §2.1); `params` holds type-specific inputs."""

    task_id: Id
    task_type: TaskType
    priority: Priority = Priority.MEDIUM
    agent_id: Id
    tenant_id: Id
    goal: TaskGoal
    persona_constraints: PersonaConstraints
    context: TaskContext = TaskContext()
    required_resources: Annotated[
        list[Annotated[str, Field(max_length=300)]], Field(max_length=20)
    ] = []
    depends_on: Annotated[list[Id], Field(max_length=50)] = []
    params: dict[str, str] = Field(default_factory=dict, max_length=20)
    created_at: UtcTimestamp
    deadline: UtcTimestamp | None = None

    @model_validator(mode="after")
    def _deadline_after_creation(self) -> Task:
        if self.deadline is not None and parse_utc(self.deadline) < parse_utc(self.created_at):
            raise ValueError("deadline must not be before created_at")
        return self
