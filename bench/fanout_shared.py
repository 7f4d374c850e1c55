"""W1 fan-out bench: what both graphs share (the sample persona, task ids, one task's data)."""

from __future__ import annotations

from functools import cache

from chimera.control.personas import load_persona
from chimera.platform.settings import REPO_ROOT
from state.contracts import Task, TaskGoal
from state.persona import Persona

AGENT_ID = "agent-ethiopia-fashion-001"
TENANT_ID = "tenant-xyz"
CAMPAIGN_ID = "campaign-bench"
GOAL = "Benchmark the fan-out engine"
CRITERIA = ["On-brand tone"]


@cache
def persona() -> Persona:
    """The sample persona every task carries."""
    return load_persona(REPO_ROOT / "agents", AGENT_ID)


def task_id(i: int) -> str:
    """Stable id of the i-th task."""
    return f"task-{i:05d}"


def make_task(i: int, who: Persona, now: str) -> Task:
    """One `publish_post` task with no dependencies."""
    return Task(
        task_id=task_id(i),
        task_type="publish_post",
        priority="medium",
        agent_id=who.agent_id,
        tenant_id=who.tenant_id,
        goal=TaskGoal(campaign_id=CAMPAIGN_ID, goal_description=GOAL, success_criteria=CRITERIA),
        persona_constraints=who.constraints,
        params={"key": f"post-{i}", "platform": "twitter"},
        created_at=now,
    )
