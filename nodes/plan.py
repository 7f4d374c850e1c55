"""plan: goal + persona + signals -> validated TaskDAG -> Tasks with stable ids.

The plan is validated before anything is written, so an invalid plan (cycle, unknown type or
dependency, too many tasks) fails the run with a clear error and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from langgraph.runtime import Runtime

from chimera.control import audit, repo, usage
from chimera.platform.db import tenant_tx
from chimera.platform.ids import stable_id
from chimera.resources import Services
from chimera.strategies.base import PlanRequest
from chimera.strategies.usage import metered
from nodes.contracts import Node, thread_of
from nodes.dispatch import unresolved_rejections
from state.context import Context, context_of
from state.contracts import Task, TaskContext, TaskGoal
from state.graph import CampaignState, run_ref
from state.plan import TaskDAG, validate_dag
from state.records import TaskStatus
from state.types import to_utc_z


def materialise(dag: TaskDAG, state: CampaignState) -> list[Task]:
    """Turn planned tasks into contract Tasks whose ids derive from tenant, campaign and key."""
    tenant, campaign = state["tenant_id"], state["campaign_id"]
    persona = state["persona"]
    ids = {t.key: stable_id("task", tenant, campaign, t.key) for t in dag.tasks}
    now = datetime.now(UTC)
    goal = TaskGoal(
        campaign_id=campaign,
        goal_description=state["goal"],
        success_criteria=state.get("success_criteria") or ["On-brand tone"],
    )
    return [
        Task(
            task_id=ids[t.key],
            task_type=t.task_type,
            priority=t.priority,
            agent_id=state["agent_id"],
            tenant_id=tenant,
            goal=goal,
            persona_constraints=persona.constraints,
            context=TaskContext(),
            required_resources=[*persona.news_resources, "twitter://mentions/recent"],
            depends_on=[ids[d] for d in t.depends_on],
            params={"key": t.key, **t.params},
            created_at=to_utc_z(now),
            deadline=to_utc_z(now + timedelta(minutes=5)),
        )
        for t in dag.tasks
    ]


def _request(state: CampaignState, ctx: Context, attempt: int) -> PlanRequest:
    """What the planner sees: goal, persona, signals and the rejections to plan around.

    Args:
        state: The campaign state.
        ctx: The run's context.
        attempt: 0 for the first plan, then the replan number.

    Returns:
        The planner's request.

    """
    return PlanRequest(
        goal=state["goal"],
        persona=state["persona"],
        trends=state.get("trends", []),
        mentions=state.get("mentions", []),
        context=ctx,
        rejections=state.get("rejections", []),
        attempt=attempt,
        redo=frozenset(unresolved_rejections(state)),
        memory=state.get("memory"),
    )


async def _save(
    svc: Services,
    state: CampaignState,
    thread_id: str,
    tasks: list[Task],
    attempt: int,
    planner: str,
    rationale: str,
) -> None:
    """Save the new tasks and audit the plan and each task.

    Args:
        svc: The app services (database pool).
        state: The campaign state.
        thread_id: The LangGraph thread of this run.
        tasks: The tasks this plan adds.
        attempt: 0 for the first plan, then the replan number.
        planner: The planner's name.
        rationale: The planner's rationale.

    """
    async with tenant_tx(svc.pool, state["tenant_id"]) as conn:
        await repo.save_tasks(conn, thread_id, tasks)
        plan_id = stable_id("plan", thread_id, str(attempt))
        await repo.audit_run(
            conn,
            run_ref(state, thread_id),
            "plan_written",
            detail={
                "plan_id": plan_id,
                "planner": planner,
                "attempt": attempt,
                "rationale": rationale,
                "tasks": [t.task_id for t in tasks],
            },
        )
        await audit.task_events(conn, run_ref(state, thread_id), tasks, plan_id)


async def plan_tasks(
    svc: Services, state: CampaignState, runtime: Runtime[Context]
) -> dict[str, Any]:
    """Write (or rewrite, after rejections) the task DAG.

    Args:
        svc: The app services.
        state: The campaign state.
        runtime: The node's runtime (its context and thread).

    Returns:
        The state update with the new tasks (and the replan count when replanning).

    Raises:
        PlanError: the planned DAG is invalid; nothing was written.

    """
    ctx = context_of(runtime)
    strategies = await svc.strategies.for_run(ctx.model)
    replanning = bool(state.get("tasks"))
    attempt = state.get("replans", 0) + 1 if replanning else 0
    thread_id = thread_of(runtime)
    with metered() as meter:
        try:
            dag = await strategies.planner.plan(_request(state, ctx, attempt))
        finally:
            ref = run_ref(state, thread_id)
            await usage.save(
                svc.pool,
                tenant_id=ref.tenant_id,
                campaign_id=ref.campaign_id,
                thread_id=thread_id,
                task_id=usage.PLAN_TASK,
                meter=meter,
            )
    validate_dag(dag, max_tasks=ctx.max_tasks)
    tasks = [t for t in materialise(dag, state) if t.task_id not in state.get("tasks", {})]
    await _save(svc, state, thread_id, tasks, attempt, strategies.planner.name, dag.rationale)
    update: dict[str, Any] = {
        "tasks": {t.task_id: t for t in tasks},
        "status": {t.task_id: TaskStatus.PENDING for t in tasks},
    }
    if replanning:
        update["replans"] = attempt
    return update


def make_plan(svc: Services) -> Node[CampaignState, dict[str, Any]]:
    """Build the node with its services."""

    async def plan(state: CampaignState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Write (or rewrite, after rejections) the task DAG."""
        return await plan_tasks(svc, state, runtime)

    return plan
