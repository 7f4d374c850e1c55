"""RunRequest, the run input: goal clean-up and derived campaign ids (specs/functional.md §2.1)."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from state.inputs import RunRequest
from state.types import Id

ID: TypeAdapter[str] = TypeAdapter(Id)


def test_run_request_strips_the_goal_and_rejects_goals_without_words() -> None:
    """specs/technical.md §2.1 (bounded sizes); specs/functional.md §2.1"""
    run = RunRequest(
        tenant_id="tenant-xyz",
        agent_id="agent-ethiopia-fashion-001",
        campaign_id="cmp-1",
        goal="  Promote the summer line  ",
    )
    assert run.goal == "Promote the summer line"
    for goal in ["   ", "!!! ???", "x" * 2001]:
        with pytest.raises(ValidationError):
            RunRequest(tenant_id="tenant-xyz", agent_id="a", campaign_id="c", goal=goal)


def test_run_request_without_campaign_derives_a_stable_id_from_agent_and_goal() -> None:
    """specs/functional.md §2.1 (campaign id derived from the agent and the goal text)"""

    def campaign(agent: str, goal: str) -> str:
        return RunRequest(tenant_id="tenant-xyz", agent_id=agent, goal=goal).campaign

    first = campaign("agent-ethiopia-fashion-001", "Promote the summer line")
    assert first == campaign("agent-ethiopia-fashion-001", "  Promote the summer line ")
    assert first.startswith("cmp-")
    assert first != campaign("agent-ethiopia-fashion-001", "Promote the winter line")
    assert first != campaign("agent-lagos-tech-002", "Promote the summer line")
    assert ID.validate_python(first) == first
