"""review: pause for a human with one interrupt per artifact, then act on the decision.

The interrupt comes first; the resume value is validated into a `ReviewDecision` (anything else
is refused and asked again, with the reason, so the run stays paused and resumable); the decision
is recorded; side effects happen later, in commit.
"""

from __future__ import annotations

from typing import Literal

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_config
from langgraph.runtime import Runtime
from langgraph.types import Command, Send, interrupt

from chimera.control import audit, expiry, judge_context, repo, reviewers
from chimera.control.reviewers import NotAuthorized
from chimera.platform.api_keys import server_principal
from chimera.platform.db import Conn, tenant_tx
from chimera.resources import Services
from chimera.strategies.guardrails import publish_violations
from chimera.strategies.writer import limit_for
from nodes.contracts import Node
from nodes.outcomes import ended
from state.context import Context, context_of
from state.records import Envelope, TaskStatus
from state.review import (
    ActionRequest,
    InboxConfig,
    InvalidResumeValue,
    ReviewDecision,
    ReviewInterrupt,
    parse_resume,
)


def interrupt_value(env: Envelope) -> ReviewInterrupt:
    """The Agent Inbox shaped payload shown to reviewers."""
    artifact, review = env.need_artifact(), env.need_review()
    payload = artifact.payload
    reasons = "; ".join(review.reason_for_escalation)
    mention = " ".join(env.task.params.get("mention_text", "").split())
    if mention:  # a reply: quote what it answers, who wrote it and where
        quoted = mention if len(mention) <= 300 else mention[:299] + "…"
        author, where = env.task.params.get("author") or "someone", payload.platform
        reasons += f"\n\nIn reply to {author} on {where}: > {quoted}"
    return ReviewInterrupt(
        action_request=ActionRequest(
            action=str(env.task.task_type),
            # Agent Inbox renders every arg as an editable string and crashes on null: absent
            # values are left out rather than sent as None.
            args={
                k: v
                for k, v in (
                    ("text", payload.text),
                    ("platform", payload.platform),
                    ("reply_to_id", payload.reply_to_id),
                )
                if v is not None
            },
        ),
        config=InboxConfig(),
        description=(
            f"**{env.persona.name}** wants to {env.task.task_type} on {payload.platform} "
            f"(confidence {review.confidence_score:.2f}, risk {review.risk_category}). "
            f"Why a human is needed: {reasons}"
        ),
        review=env.review,
    )


def check(env: Envelope, value: object) -> ReviewDecision:
    """Validate a resume value for this artifact (edits must fit the platform)."""
    artifact = env.need_artifact()
    decision = parse_resume(value)
    limit = limit_for(artifact.payload.platform)
    if decision.decision == "edit" and (decision.text is None or len(decision.text) > limit):
        raise InvalidResumeValue(f"edited text must be 1-{limit} characters")
    return decision


def refused(question: ReviewInterrupt, error: str) -> ReviewInterrupt:
    """The question asked again after a refused answer, the reason first in `description`.

    Agent Inbox shows only `description`, so a refusal kept in `error` alone would look like
    the same question asked again silently.
    """
    description = f"**Your last answer was refused:** {error}\n\n{question.description}"
    return question.model_copy(update={"error": error, "description": description})


async def ask(
    env: Envelope, config: RunnableConfig, svc: Services, ctx: Context | None = None
) -> tuple[ReviewDecision, str | None]:
    """Interrupt until a valid decision by an allowed reviewer arrives; return it and the user.

    An invalid answer is answered with the reason in `error` and asked again: raising instead
    would leave the invalid value recorded as this interrupt's answer and the thread stuck.
    A refusal that depended on the database (unknown user, review not expired) is recorded, so
    when the node replays its earlier answers it refuses them again even if that data changed.
    """
    question = interrupt_value(env)
    value = interrupt(question.model_dump(mode="json"))
    attempt = 0
    while True:
        try:
            decision = check(env, value)
            return decision, await decider(svc, env, decision, config, attempt, ctx)
        except (InvalidResumeValue, NotAuthorized) as exc:
            question = refused(interrupt_value(env), str(exc))
            value = interrupt(question.model_dump(mode="json"))
            attempt += 1


async def decider(
    svc: Services,
    env: Envelope,
    decision: ReviewDecision,
    config: RunnableConfig,
    attempt: int = 0,
    ctx: Context | None = None,
) -> str | None:
    """Who decided: a reviewer or admin of the tenant, or nobody for a real expiry.

    The user comes from the decision, else from the user the LangGraph server's API key is
    bound to (`chimera/platform/api_keys.py`); either way it must be a reviewer or
    admin of the run's tenant. An edited text must also pass the campaign's current policy.
    """
    review_id = env.need_review().review_id
    async with tenant_tx(svc.pool, env.run.tenant_id) as conn:
        error = await audit.refusal(conn, env.run, review_id, attempt)
        if error is None:
            try:
                user = await _decider(conn, env, decision, config)
                await _edit_allowed(svc, conn, env, decision, ctx or Context())
                return user
            except NotAuthorized as exc:
                error = str(exc)
                detail = {"review_id": review_id, "attempt": attempt, "error": error}
                await audit.decision_event(
                    conn,
                    env.run,
                    env.task.task_id,
                    "review_answer_refused",
                    decision.user_id,
                    detail,
                )
    raise NotAuthorized(error)  # outside the transaction, so the refusal stays recorded


async def _decider(
    conn: Conn, env: Envelope, decision: ReviewDecision, config: RunnableConfig
) -> str | None:
    if decision.expired:
        if not await expiry.is_expired(conn, env.need_review().review_id):
            raise NotAuthorized("only an expired review takes its default action")
        return None
    ref = decision.user_id or _key_user(config, env.run.tenant_id)
    user = await reviewers.authorize(conn, ref, reviewers.REVIEW_ROLES)
    return str(user["id"])


async def _edit_allowed(
    svc: Services, conn: Conn, env: Envelope, decision: ReviewDecision, ctx: Context
) -> None:
    """Refuse an edited text that the campaign's current policy would not let out.

    Raises:
        NotAuthorized: the edit breaks a hard rule; the message lists every reason.

    """
    if decision.decision != "edit" or decision.text is None:
        return
    artifact = env.need_artifact()
    now = await judge_context.resolve(svc.settings.policies_dir, conn, env, ctx)
    platform = artifact.payload.platform
    if reasons := publish_violations(decision.text, now.persona, platform, artifact.source_text):
        raise NotAuthorized("edit refused by the campaign's policy: " + " ".join(reasons))


def _key_user(config: RunnableConfig, tenant_id: str) -> str | None:
    """The user the server's API key acts as, if it is bound to one of this run's tenant."""
    principal = server_principal(config)
    if principal is None or principal.user is None:
        return None
    if principal.tenant_id != tenant_id:
        raise NotAuthorized(f"the API key acts for tenant {principal.tenant_id}, not {tenant_id}")
    return principal.user


async def record(conn: Conn, env: Envelope, decision: ReviewDecision, user_id: str | None) -> None:
    """Store the decision on the review row and in the audit log."""
    run, task_id, review_id = env.run, env.task.task_id, env.need_review().review_id
    note = decision.reason or decision.text
    detail = {"review_id": review_id, **decision.model_dump(mode="json"), "user_id": user_id}
    if decision.expired:
        await expiry.mark_expired(conn, review_id, decision.decision, note)
        event = "review_expired"
    else:
        await repo.decide_review(conn, review_id, decision.decision, user_id=user_id, notes=note)
        event = "review_decision"
    await audit.decision_event(conn, run, task_id, event, user_id, detail)
    if decision.decision in {"reject", "respond"}:
        await repo.set_task_status(conn, task_id, TaskStatus.REJECTED)


async def rejudge(
    svc: Services, conn: Conn, env: Envelope, decision: ReviewDecision, ctx: Context
) -> list[str]:
    """Judge an approved text again if a relevant campaign field changed since its draft (OCC).

    The human approved what the policy of the artifact's snapshot allowed; when the operator
    changed a relevant field since, the current policy decides whether it may still go out.
    The re-judgement is audited as `review_rejudged` whatever its outcome.

    Returns:
        Why the current policy rejects it (empty: upheld, or nothing relevant changed).

    """
    if decision.decision not in {"approve", "edit"}:
        return []
    artifact, review_id = env.need_artifact(), env.need_review().review_id
    now = await judge_context.resolve(svc.settings.policies_dir, conn, env, ctx)
    if not now.stale:
        return []
    text = decision.text or artifact.payload.text
    reasons = publish_violations(text, now.persona, artifact.payload.platform, artifact.source_text)
    detail = {
        "review_id": review_id,
        "decision": decision.decision,
        "snapshot_version": artifact.state_snapshot_version,
        "version": now.version,
        "changed": sorted(now.stale),
        "outcome": "reject" if reasons else "upheld",
        "reasons": reasons,
    }
    await repo.audit_run(conn, env.run, "review_rejudged", task_id=env.task.task_id, detail=detail)
    if reasons:
        await repo.set_task_status(conn, env.task.task_id, TaskStatus.REJECTED)
    return reasons


def make_review(svc: Services) -> Node[Envelope, Command[Literal["commit", "dispatch"]]]:
    """Build the node with its services."""

    async def review(
        state: Envelope, runtime: Runtime[Context]
    ) -> Command[Literal["commit", "dispatch"]]:
        """Wait for the reviewer, record the decision, route to commit or back to dispatch."""
        ctx = context_of(runtime)
        decision, user_id = await ask(state, get_config(), svc, ctx)
        task_id = state.task.task_id
        async with tenant_tx(svc.pool, state.run.tenant_id) as conn:
            await record(conn, state, decision, user_id)
            stale = await rejudge(svc, conn, state, decision, ctx)
        if stale:
            reason = "Re-judged after a campaign change; the current policy refuses it: "
            return Command(
                update=ended(task_id, TaskStatus.REJECTED, reason + " ".join(stale), "judge"),
                goto="dispatch",
            )
        if decision.decision == "approve":
            return Command(goto=Send("commit", state))
        if decision.decision == "edit":
            return Command(
                goto=Send("commit", state.model_copy(update={"edited_text": decision.text}))
            )
        reason = decision.reason or decision.text or "rejected by reviewer"
        return Command(
            update=ended(task_id, TaskStatus.REJECTED, reason, "reviewer"), goto="dispatch"
        )

    return review
