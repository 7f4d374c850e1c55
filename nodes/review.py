"""review: pause for a human with one interrupt per artifact, then act on the decision.

The interrupt comes first; the resume value is validated into a `ReviewDecision` (anything else
is refused and asked again, with the reason, so the run stays paused and resumable); the decision
is recorded; side effects happen later, in commit.
"""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, Send, interrupt

from chimera import repo
from chimera.app import Services
from chimera.db import tenant_tx
from chimera.strategies.writer import limit_for
from state.context import Context
from state.records import Envelope, Rejection, TaskStatus
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
    assert env.artifact is not None and env.review is not None
    payload = env.artifact.payload
    reasons = "; ".join(env.review.reason_for_escalation)
    return ReviewInterrupt(
        action_request=ActionRequest(
            action=str(env.task.task_type),
            args={
                "text": payload.text,
                "platform": payload.platform,
                "reply_to_id": payload.reply_to_id,
            },
        ),
        config=InboxConfig(),
        description=(
            f"**{env.persona.name}** wants to {env.task.task_type} on {payload.platform} "
            f"(confidence {env.review.confidence_score:.2f}, risk {env.review.risk_category}). "
            f"Why a human is needed: {reasons}"
        ),
        review=env.review,
    )


def check(env: Envelope, value: object) -> ReviewDecision:
    """Validate a resume value for this artifact (edits must fit the platform)."""
    assert env.artifact is not None
    decision = parse_resume(value)
    limit = limit_for(env.artifact.payload.platform)
    if decision.decision == "edit" and (decision.text is None or len(decision.text) > limit):
        raise InvalidResumeValue(f"edited text must be 1-{limit} characters")
    return decision


def ask(env: Envelope) -> ReviewDecision:
    """Interrupt until a valid decision arrives; an invalid one is answered with the error.

    Raising instead would leave the invalid value recorded as this interrupt's answer and the
    thread unable to resume, so the node asks again, carrying the reason in `error`.
    """
    question = interrupt_value(env)
    value = interrupt(question.model_dump(mode="json"))
    while True:
        try:
            return check(env, value)
        except InvalidResumeValue as exc:
            question = question.model_copy(update={"error": str(exc)})
            value = interrupt(question.model_dump(mode="json"))


def make_review(svc: Services):  # type: ignore[no-untyped-def]
    """Build the node with its services."""

    async def review(
        env: Envelope, runtime: Runtime[Context]
    ) -> Command[Literal["commit", "dispatch"]]:
        """Wait for the reviewer, record the decision, route to commit or back to dispatch."""
        decision = ask(env)
        assert env.review is not None and env.artifact is not None
        run, task_id = env.run, env.task.task_id
        async with tenant_tx(svc.pool, run.tenant_id) as conn:
            await repo.decide_review(
                conn,
                env.review.review_id,
                decision.decision,
                user_id=decision.user_id,
                notes=decision.reason or decision.text,
            )
            detail = {"review_id": env.review.review_id, **decision.model_dump(mode="json")}
            await repo.audit_run(conn, run, "review_decision", task_id=task_id, detail=detail)
            if decision.decision in {"reject", "respond"}:
                await repo.set_task_status(conn, task_id, TaskStatus.REJECTED)
        if decision.decision == "approve":
            return Command(goto=Send("commit", env))
        if decision.decision == "edit":
            return Command(
                goto=Send("commit", env.model_copy(update={"edited_text": decision.text}))
            )
        reason = decision.reason or decision.text or "rejected by reviewer"
        return Command(
            update={
                "status": {task_id: TaskStatus.REJECTED},
                "rejections": [Rejection(task_id=task_id, reason=reason, by="reviewer")],
            },
            goto="dispatch",
        )

    return review
