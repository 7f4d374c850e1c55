"""judge: OCC check, then score, apply policy and route to commit, review or rejection."""

from __future__ import annotations

import math
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from chimera.control import audit, judge_context, occ, repo, usage
from chimera.memory.remember import post_memory_id
from chimera.platform.db import Conn, tenant_tx
from chimera.resources import Services
from chimera.strategies.base import Score
from chimera.strategies.guardrails import assess
from chimera.strategies.judging import with_findings
from chimera.strategies.novelty import penalise_duplicate
from chimera.strategies.usage import metered
from nodes.contracts import Node
from nodes.outcomes import earlier_decision, next_step, review_item
from state.context import Context, context_of
from state.contracts import ArtifactType, ReviewItem
from state.records import Envelope, TaskStatus, Verdict

JudgeRoute = Command[Literal["commit", "review", "dispatch", "cfo", "work"]]
"""Every place the judge sends an artifact: publish, ask, reject, the CFO, or re-draft (OCC)."""


async def _score(svc: Services, env: Envelope, judgement: judge_context.Judgement) -> Score:
    """The model's score of the artifact; a failing scorer yields a NaN score with its reason.

    The scorer sees the persona with the tenant and campaign policy applied, so topics that
    policy adds are weighed too.

    Args:
        svc: The app services (strategies).
        env: The envelope carrying the artifact.
        judgement: The campaign as the judge sees it (context: which model; policy persona).

    Returns:
        The score, or a `judge_error_high` score when the scorer raised.

    """
    artifact = env.need_artifact()
    scorer = (await svc.strategies.for_run(judgement.ctx.model)).scorer
    with metered() as meter:
        try:
            return await scorer.score(
                env.task, judgement.persona, artifact.payload, artifact.source_text
            )
        except Exception as exc:
            return Score(math.nan, "judge_error_high", [f"Judge failed: {str(exc)[:150]}"], [])
        finally:
            owner = usage.UsageOwner.of(env.run, env.task.task_id)
            await usage.save(svc.pool, owner, meter, svc.settings.llm_price_table())


async def _novel(svc: Services, env: Envelope, score: Score, ctx: Context) -> Score:
    """Lower the score of a post draft that repeats a remembered post (not its own).

    Args:
        svc: The app services (novelty checker).
        env: The envelope carrying the artifact and the recalled memory.
        score: The scorer's score.
        ctx: The run's context (duplicate thresholds).

    Returns:
        The score, penalised when the draft is too close to a remembered post.

    """
    artifact = env.need_artifact()
    if env.memory is None or svc.novelty is None or env.task.task_type != "publish_post":
        return score
    own = post_memory_id(env.run.tenant_id, env.run.campaign_id, env.task.task_id)
    texts = [text for _, text in env.memory.recent_texts(exclude=frozenset({own}))]
    similarity, match = await svc.novelty.closest(artifact.payload.text, texts)
    return penalise_duplicate(score, similarity, match, ctx)


async def _invalidate(
    svc: Services, env: Envelope, judgement: judge_context.Judgement
) -> JudgeRoute:
    """OCC: a relevant field changed since the artifact's snapshot -> draft it again.

    Args:
        svc: The app services (database pool).
        env: The envelope whose artifact is stale.
        judgement: The campaign as the judge sees it (version and changed groups).

    Returns:
        A command sending the refreshed task back to `work`.

    """
    artifact, run, task_id = env.need_artifact(), env.run, env.task.task_id
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        detail = {
            "artifact_id": artifact.artifact_id,
            "snapshot_version": artifact.state_snapshot_version,
            "version": judgement.version,
            "changed": sorted(judgement.stale),
        }
        await repo.audit_run(conn, run, "artifact_invalidated", task_id=task_id, detail=detail)
        again = judge_context.refreshed(env, judgement)
        await repo.save_tasks(conn, run.thread_id, [again.task])
    return Command(
        update={"state_version": judgement.version, "tasks": {task_id: again.task}},
        goto=Send("work", again),
    )


async def _record(
    conn: Conn,
    env: Envelope,
    verdict: Verdict,
    item: ReviewItem | None,
    judgement: judge_context.Judgement,
) -> None:
    """Save and audit the artifact and verdict; open the review when one is needed.

    Args:
        conn: The tenant transaction to write in.
        env: The envelope carrying the artifact.
        verdict: The judge's verdict.
        item: The review to open, or None (no review, or one already decided).
        judgement: The campaign as the judge sees it (default action of the review).

    """
    artifact, run, task_id = env.need_artifact(), env.run, env.task.task_id
    await audit.artifact_event(conn, run, artifact)
    await repo.save_artifact(conn, artifact, run.campaign_id, verdict)
    await repo.audit_run(
        conn, run, "verdict", task_id=task_id, detail=verdict.model_dump(mode="json")
    )
    if item is not None:
        await repo.open_review(conn, item, thread_id=run.thread_id, campaign_id=run.campaign_id)
        await audit.escalated(conn, run, item, judgement.default_action)
        await repo.set_task_status(conn, task_id, TaskStatus.AWAITING_REVIEW)
    elif verdict.decision == "reject":
        await repo.set_task_status(conn, task_id, TaskStatus.REJECTED)


async def _decide(
    svc: Services, env: Envelope, judgement: judge_context.Judgement
) -> tuple[Verdict, ReviewItem | None, dict[str, Any] | None]:
    """Score the artifact, apply the policy and, on review, look for an earlier human decision.

    Args:
        svc: The app services.
        env: The envelope carrying the artifact.
        judgement: The campaign as the judge sees it (context and persona).

    Returns:
        The verdict, the review item (None unless escalated) and any earlier decision on it.

    """
    artifact, ctx = env.need_artifact(), judgement.ctx
    score = await _novel(svc, env, await _score(svc, env, judgement), ctx)
    # the same risk findings whichever scorer ran (an LLM judge does not detect them itself)
    score = await with_findings(score, svc.risk, artifact, judgement.persona)
    verdict = assess(artifact, judgement.persona, score, ctx)
    if verdict.decision != "review":
        return verdict, None, None
    item = review_item(artifact, verdict, ctx.review_ttl_minutes)
    return verdict, item, await earlier_decision(svc, env.run.tenant_id, item.review_id)


MAX_REJUDGE = 5
"""Times an artifact is scored again because the campaign moved while it was being scored."""


class CampaignKeptMoving(RuntimeError):
    """The campaign changed during every one of MAX_REJUDGE scorings of one artifact."""


async def judge_artifact(svc: Services, env: Envelope, runtime: Runtime[Context]) -> JudgeRoute:
    """Decide what happens to one artifact; judge it again if the campaign moved meanwhile.

    Args:
        svc: The app services.
        env: The envelope carrying the artifact.
        runtime: The node's runtime (its context).

    Returns:
        A command routing to `work` (stale), `cfo` (money), `commit`, `review` or `dispatch`.

    Raises:
        CampaignKeptMoving: the campaign changed during every scoring (the run retries later).

    """
    artifact, run = env.need_artifact(), env.run
    for _ in range(MAX_REJUDGE):
        async with tenant_tx(svc.pool, run.tenant_id) as conn:
            judgement = await judge_context.resolve(
                svc.settings.policies_dir, conn, env, context_of(runtime)
            )
        if judgement.stale:
            return await _invalidate(svc, env, judgement)
        if artifact.artifact_type == ArtifactType.TRANSACTION:
            return Command(goto=Send("cfo", env))  # money is judged by the CFO node
        verdict, item, earlier = await _decide(svc, env, judgement)
        async with tenant_tx(svc.pool, run.tenant_id) as conn:
            if await occ.at_version(conn, run.campaign_id, judgement.version):
                await _record(conn, env, verdict, item if earlier is None else None, judgement)
                break
        # the campaign changed while this artifact was scored: judge it again
    else:
        raise CampaignKeptMoving(f"campaign {run.campaign_id} changed during every scoring")
    routed = env.model_copy(update={"verdict": verdict, "review": item})
    step = next_step(routed, {"verdicts": {env.task.task_id: verdict}}, earlier)
    return Command(update=step.update, goto=step.goto)


def make_judge(svc: Services) -> Node[Envelope, JudgeRoute]:
    """Build the node with its services."""

    async def judge(state: Envelope, runtime: Runtime[Context]) -> JudgeRoute:
        """Decide what happens to one artifact."""
        return await judge_artifact(svc, state, runtime)

    return judge
