"""judge: OCC check, then score, apply policy and route to commit, review or rejection."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from chimera.control import audit, judge_context, occ, repo
from chimera.memory.remember import post_memory_id
from chimera.platform.db import Conn, tenant_tx
from chimera.resources import Services
from chimera.strategies.base import Score
from chimera.strategies.guardrails import assess
from chimera.strategies.novelty import penalise_duplicate
from state.context import Context, context_of
from state.contracts import Artifact, ArtifactType, ContentPreview, ReviewItem, SuggestedAction
from state.records import Envelope, Rejection, TaskStatus, Verdict
from state.types import to_utc_z


def review_item(artifact: Artifact, verdict: Verdict, ttl_minutes: int) -> ReviewItem:
    """The CONTRACTS §2.3 item for an escalated artifact."""
    now = datetime.now(UTC)
    return ReviewItem(
        review_id=repo.stable_id("rev", artifact.artifact_id, artifact.payload.text),
        artifact_id=artifact.artifact_id,
        task_id=artifact.task_id,
        agent_id=artifact.agent_id,
        tenant_id=artifact.tenant_id,
        content_preview=ContentPreview(type=artifact.artifact_type, text=artifact.payload.text),
        confidence_score=verdict.confidence,
        risk_category=verdict.risk_category,
        reason_for_escalation=verdict.reasons,
        suggested_actions=[SuggestedAction.APPROVE, SuggestedAction.EDIT, SuggestedAction.REJECT],
        created_at=to_utc_z(now),
        expires_at=to_utc_z(now + timedelta(minutes=ttl_minutes)),
    )


def next_step(
    routed: Envelope, update: dict[str, Any], earlier: dict[str, Any] | None
) -> Command[Literal["commit", "review", "dispatch"]]:
    """Route a judged envelope: commit, ask a human (or reuse an earlier human decision), reject."""
    assert routed.verdict is not None
    task_id, decision = routed.task.task_id, routed.verdict.decision
    if decision == "approve":
        return Command(update=update, goto=Send("commit", routed))
    if decision == "review" and earlier is None:
        update["status"] = {task_id: TaskStatus.AWAITING_REVIEW}
        return Command(update=update, goto=Send("review", routed))
    if earlier is not None and earlier["status"] in ("approve", "edit"):
        edited = earlier["notes"] if earlier["status"] == "edit" else None
        return Command(
            update=update, goto=Send("commit", routed.model_copy(update={"edited_text": edited}))
        )
    if earlier is not None:
        reason, by = (
            f"Reviewer decided earlier: {earlier['notes'] or earlier['status']}",
            "reviewer",
        )
    else:
        reason, by = " ".join(routed.verdict.reasons), "judge"
    update["status"] = {task_id: TaskStatus.REJECTED}
    update["rejections"] = [Rejection(task_id=task_id, reason=reason[:2000], by=by)]
    return Command(update=update, goto="dispatch")


async def _score(svc: Services, env: Envelope, ctx: Context) -> Score:
    """The model's score of the artifact; a failing scorer yields a NaN score with its reason.

    Args:
        svc: The app services (strategies).
        env: The envelope carrying the artifact.
        ctx: The run's context (which model scores).

    Returns:
        The score, or a `judge_error_high` score when the scorer raised.

    """
    assert env.artifact is not None
    scorer = svc.strategies.for_model(ctx.model).scorer
    try:
        return await scorer.score(
            env.task, env.persona, env.artifact.payload, env.artifact.source_text
        )
    except Exception as exc:
        return Score(math.nan, "judge_error_high", [f"Judge failed: {str(exc)[:150]}"], [])


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
    assert env.artifact is not None
    if env.memory is None or svc.novelty is None or env.task.task_type != "publish_post":
        return score
    own = post_memory_id(env.run.tenant_id, env.run.campaign_id, env.task.task_id)
    texts = [text for _, text in env.memory.recent_texts(exclude=frozenset({own}))]
    similarity, match = await svc.novelty.closest(env.artifact.payload.text, texts)
    return penalise_duplicate(score, similarity, match, ctx)


async def _earlier_decision(svc: Services, tenant_id: str, review_id: str) -> dict[str, Any] | None:
    """A decision already taken on this exact draft (e.g. in an earlier run), if any.

    Args:
        svc: The app services (database pool).
        tenant_id: The tenant the review belongs to.
        review_id: The stable id of the review for this draft.

    Returns:
        The review row when it is decided, else None.

    """
    async with tenant_tx(svc.pool, tenant_id) as conn:
        row = await repo.get_review(conn, review_id)
    return row if row is not None and row["status"] != "pending" else None


async def _invalidate(
    svc: Services, env: Envelope, judgement: judge_context.Judgement
) -> Command[Literal["commit", "review", "dispatch"]]:
    """OCC: a relevant field changed since the artifact's snapshot -> draft it again.

    Args:
        svc: The app services (database pool).
        env: The envelope whose artifact is stale.
        judgement: The campaign as the judge sees it (version and changed groups).

    Returns:
        A command sending the refreshed task back to `work`.

    """
    assert env.artifact is not None
    run, task_id = env.run, env.task.task_id
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        detail = {
            "artifact_id": env.artifact.artifact_id,
            "snapshot_version": env.artifact.state_snapshot_version,
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
    assert env.artifact is not None
    run, task_id = env.run, env.task.task_id
    await audit.artifact_event(conn, run, env.artifact)
    await repo.save_artifact(conn, env.artifact, run.campaign_id, verdict)
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
    assert env.artifact is not None
    ctx = judgement.ctx
    score = await _novel(svc, env, await _score(svc, env, ctx), ctx)
    verdict = assess(env.artifact, judgement.persona, score, ctx)
    if verdict.decision != "review":
        return verdict, None, None
    item = review_item(env.artifact, verdict, ctx.review_ttl_minutes)
    return verdict, item, await _earlier_decision(svc, env.run.tenant_id, item.review_id)


async def judge_artifact(
    svc: Services, env: Envelope, runtime: Runtime[Context]
) -> Command[Literal["commit", "review", "dispatch"]]:
    """Decide what happens to one artifact; judge it again if the campaign moved meanwhile.

    Args:
        svc: The app services.
        env: The envelope carrying the artifact.
        runtime: The node's runtime (its context).

    Returns:
        A command routing to `work` (stale), `cfo` (money), `commit`, `review` or `dispatch`.

    """
    artifact, run = env.artifact, env.run
    assert artifact is not None, "judge needs an artifact"
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        judgement = await judge_context.resolve(svc, conn, env, context_of(runtime))
    if judgement.stale:
        return await _invalidate(svc, env, judgement)
    if artifact.artifact_type == ArtifactType.TRANSACTION:
        return Command(goto=Send("cfo", env))  # money is judged by the CFO node
    verdict, item, earlier = await _decide(svc, env, judgement)
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        moved = not await occ.at_version(conn, run.campaign_id, judgement.version)
        if not moved:
            await _record(conn, env, verdict, item if earlier is None else None, judgement)
    if moved:  # the campaign changed while this artifact was scored: judge it again
        return await judge_artifact(svc, env, runtime)
    routed = env.model_copy(update={"verdict": verdict, "review": item})
    return next_step(routed, {"verdicts": {env.task.task_id: verdict}}, earlier)


def make_judge(svc: Services):  # type: ignore[no-untyped-def]
    """Build the node with its services."""

    async def judge(
        env: Envelope, runtime: Runtime[Context]
    ) -> Command[Literal["commit", "review", "dispatch"]]:
        """Decide what happens to one artifact."""
        return await judge_artifact(svc, env, runtime)

    return judge
