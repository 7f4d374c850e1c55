"""Bad input at the graph and runner boundaries gets a clear error and changes nothing."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from langchain_core.exceptions import OutputParserException
from pydantic import ValidationError

from chimera.control.personas import PersonaError
from chimera.resources import Services
from chimera.runs.runner import run_campaign
from chimera.runs.threads import compile_graph
from chimera.strategies.registry import StrategyCache
from state.inputs import MAX_GOAL_CHARS
from state.plan import PlanError
from tests.conftest import ETHIOPIA
from tests.support.chat_fakes import ScriptedChatModel
from tests.support.platform import scalar


async def campaigns_named(svc: Services, campaign_id: str) -> int:
    return int(
        await scalar(svc, "tenant-xyz", "SELECT count(*) FROM campaigns WHERE id = %s", campaign_id)
    )


@pytest.mark.parametrize("goal", ["", "   ", "!!!", "x" * (MAX_GOAL_CHARS + 1)])
async def test_an_empty_or_oversized_goal_is_refused_before_anything_is_written(
    svc: Services, goal: str
) -> None:
    """specs/technical.md §2.1, specs/functional.md §2"""
    with pytest.raises(ValidationError, match="goal"):
        await run_campaign(svc, agent_id=ETHIOPIA, goal=goal, campaign_id="cmp-bad-goal")
    assert await campaigns_named(svc, "cmp-bad-goal") == 0


async def test_graph_input_is_validated_at_the_graph_boundary(svc: Services) -> None:
    """specs/technical.md §2.1"""
    config = {"configurable": {"thread_id": "thr-bad-input"}}
    bad = {
        "tenant_id": "tenant-xyz",
        "agent_id": ETHIOPIA,
        "campaign_id": "cmp-bad-input",
        "goal": "",
    }
    with pytest.raises(ValidationError):
        await compile_graph(svc).ainvoke(bad, config)
    assert await campaigns_named(svc, "cmp-bad-input") == 0


async def test_a_run_naming_another_tenants_agent_is_refused(svc: Services) -> None:
    """specs/functional.md §5"""
    config = {"configurable": {"thread_id": "thr-wrong-tenant"}}
    payload = {
        "tenant_id": "tenant-abc",
        "agent_id": ETHIOPIA,
        "campaign_id": "cmp-wrong-tenant",
        "goal": "Sell phones",
    }
    with pytest.raises(PersonaError, match="not found for tenant"):
        await compile_graph(svc).ainvoke(payload, config)
    count = await scalar(
        svc, "tenant-abc", "SELECT count(*) FROM campaigns WHERE id = %s", "cmp-wrong-tenant"
    )
    assert count == 0


def planner_says(plan: dict[str, object]) -> ScriptedChatModel:
    return ScriptedChatModel(script=lambda prompt: json.dumps(plan))


BAD_PLANS = {
    "cycle": (
        {
            "tasks": [
                {
                    "key": "a",
                    "task_type": "publish_post",
                    "depends_on": ["b"],
                    "params": {"platform": "tiktok"},
                },
                {
                    "key": "b",
                    "task_type": "publish_post",
                    "depends_on": ["a"],
                    "params": {"platform": "tiktok"},
                },
            ]
        },
        PlanError,
        "cycle",
    ),
    "unknown_type": (
        {"tasks": [{"key": "a", "task_type": "launch_rocket"}]},
        OutputParserException,
        "task_type",
    ),
    "too_many": (
        {
            "tasks": [
                {"key": f"t{i}", "task_type": "publish_post", "params": {"platform": "tiktok"}}
                for i in range(25)
            ]
        },
        PlanError,
        "max_tasks",
    ),
    "unknown_dependency": (
        {"tasks": [{"key": "a", "task_type": "publish_post", "depends_on": ["ghost"]}]},
        PlanError,
        "unknown",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_PLANS))
async def test_an_invalid_plan_is_rejected_with_a_clear_error_and_writes_no_task(
    svc: Services, name: str
) -> None:
    """specs/technical.md §5.2"""
    plan, error, words = BAD_PLANS[name]
    llm = replace(svc, strategies=StrategyCache(None, planner_says(plan)))
    campaign = f"cmp-bad-plan-{name}".replace("_", "-")
    with pytest.raises(error, match=words):
        await run_campaign(llm, agent_id=ETHIOPIA, goal="Launch the drop", campaign_id=campaign)
    tasks = await scalar(
        svc, "tenant-xyz", "SELECT count(*) FROM tasks WHERE campaign_id = %s", campaign
    )
    assert tasks == 0


async def test_a_thread_of_another_tenant_cannot_be_reused(svc: Services) -> None:
    """specs/functional.md §5, specs/technical.md §3.2"""
    from nodes.load_context import ThreadOwnershipError
    from tests.conftest import LAGOS

    graph = compile_graph(svc)
    config = {"configurable": {"thread_id": "thr-owned-by-xyz"}}
    mine = {
        "tenant_id": "tenant-xyz",
        "agent_id": ETHIOPIA,
        "campaign_id": "cmp-owner-xyz",
        "goal": "Launch the summer drop",
    }
    await graph.ainvoke(mine, config)
    theirs = {
        "tenant_id": "tenant-abc",
        "agent_id": LAGOS,
        "campaign_id": "cmp-intruder-abc",
        "goal": "Review budget phones",
    }
    with pytest.raises(ThreadOwnershipError, match="not found"):
        await compile_graph(svc).ainvoke(
            theirs, {"configurable": {"thread_id": "thr-intruder"}} | config
        )
    count = await scalar(
        svc, "tenant-abc", "SELECT count(*) FROM campaigns WHERE id = %s", "cmp-intruder-abc"
    )
    assert count == 0
