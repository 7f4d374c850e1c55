"""plan: goal + persona + signals -> validated TaskDAG -> Tasks with stable ids.

The plan is validated before anything is written, so an invalid plan (cycle, unknown type or
dependency, too many tasks) fails the run with a clear error and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from langgraph.runtime import Runtime

from chimera.control import audit, calendar, judge_context, repo, usage
from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.platform.embeddings import load_embeddings
from chimera.platform.ids import stable_id
from chimera.resources import Services
from chimera.signals.triage import Triage, triage
from chimera.strategies.base import PlanRequest
from chimera.strategies.intents import EmbeddingIntents, IntentClassifier
from chimera.strategies.registry import Strategies
from chimera.strategies.schedule import schedule_dag
from chimera.strategies.targeting import named_platforms, restrict
from chimera.strategies.topics import topics_in
from chimera.strategies.usage import metered
from nodes.contracts import Node, thread_of
from nodes.dispatch import unresolved_rejections
from state.context import Context, context_of
from state.contracts import Task, TaskContext, TaskGoal
from state.engagement import Engagement
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


def _classifier(svc: Services, strategies: Strategies) -> IntentClassifier:
    """The run's mention classifier: the model's when one is configured, else embeddings."""
    return strategies.intents or svc.intents or EmbeddingIntents(load_embeddings(svc.settings))


async def engage(
    svc: Services, state: CampaignState, runtime: Runtime[Context], strategies: Strategies
) -> list[Engagement]:
    """Decide the run's unhandled mentions in the ledger; return those it answers.

    Args:
        svc: The app services.
        state: The campaign state (persona, mentions).
        runtime: The node's runtime (its context and thread).
        strategies: The run's strategies (the mention classifier).

    Returns:
        The claimed replies and escalations, highest priority first, within the cadence.

    """
    tenant, thread_id = state["tenant_id"], thread_of(runtime)
    async with tenant_tx(svc.pool, tenant) as conn:
        ctx = await judge_context.context_for_run(
            svc.settings.policies_dir, conn, tenant, state["campaign_id"], context_of(runtime)
        )
    who = CallIdentity(tenant, state["agent_id"], thread_id)
    run = Triage(svc.pool, svc.host, _classifier(svc, strategies), who, state["campaign_id"])
    targets = list(ctx.platforms) or named_platforms(state["goal"])
    mentions = [m for m in state.get("mentions", []) if not targets or m.platform in targets]
    return await triage(run, state["persona"], mentions, ctx)


def _request(
    state: CampaignState,
    ctx: Context,
    attempt: int,
    engagements: list[Engagement],
    taken: calendar.Taken,
    now: datetime,
) -> PlanRequest:
    """What the planner sees: goal, persona, signals, targets, the calendar and the rejections.

    Args:
        state: The campaign state.
        ctx: The run's context (`platforms` overrides the targets).
        attempt: 0 for the first plan, then the replan number.
        engagements: The mentions this run answers (first plan only).
        taken: The agent's published and scheduled slots.
        now: The planning clock.

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
        platforms=list(ctx.platforms) or named_platforms(state["goal"]),
        now=now,
        taken_posts=taken.posts,
        taken_replies=taken.replies,
        engagements=engagements,
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


def refusal(state: CampaignState) -> str | None:
    """Why the goal itself is refused (it names a forbidden topic of the persona's policy)."""
    if forbidden := topics_in(state["goal"], state["persona"].forbidden_topics):
        return (
            f"The goal touches forbidden topics of this persona's policy: {', '.join(forbidden)}."
        )
    return None


async def _refuse(svc: Services, state: CampaignState, thread_id: str, reason: str) -> None:
    """Audit a plan refused as a whole."""
    async with tenant_tx(svc.pool, state["tenant_id"]) as conn:
        detail = {"reason": reason, "goal": state["goal"][:500]}
        await repo.audit_run(conn, run_ref(state, thread_id), "plan_refused", detail=detail)


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
    if not replanning and (reason := refusal(state)) is not None:
        await _refuse(svc, state, thread_of(runtime), reason)
        return {"refused": reason}
    engagements = [] if replanning else await engage(svc, state, runtime, strategies)
    if ctx.engagement_only and not engagements and not replanning:
        return {}  # an engagement run with nothing left to answer goes straight to its report
    now = datetime.now(UTC)
    async with tenant_tx(svc.pool, state["tenant_id"]) as conn:
        taken = await calendar.taken(conn, state["agent_id"], now - timedelta(days=1))
    request = _request(state, ctx, attempt, engagements, taken, now)
    thread_id = thread_of(runtime)
    with metered() as meter:
        try:
            dag = await strategies.planner.plan(request)
        finally:
            owner = usage.UsageOwner.of(run_ref(state, thread_id), usage.PLAN_TASK)
            await usage.save(svc.pool, owner, meter, svc.settings.llm_price_table())
    validate_dag(dag, max_tasks=ctx.max_tasks)
    # Whatever the planner proposed, every publishing task lands in a slot of the posting plan.
    dag = restrict(dag, request.platforms)
    dag = schedule_dag(dag, state["persona"].posting, now, taken.posts, taken.replies)
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
