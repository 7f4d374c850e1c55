"""commit: the only node with side effects, each exactly once behind the intent ledger."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from chimera.control import intents, judge_context, repo
from chimera.mcp.errors import InvalidToolArguments, ToolConflict
from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.strategies.guardrails import publish_violations
from nodes.commit_calendar import defer_to_slot
from nodes.commit_payment import commit_payment
from nodes.contracts import Node
from nodes.outcomes import ended
from state.context import Context, context_of
from state.contracts import Disclosure, PostBody, PostContent, Scheduling, Tracking
from state.records import Envelope, Published, TaskStatus

KIND = "post_content"


def disclosure_of(env: Envelope) -> Disclosure:
    """AI disclosure always; a sponsored campaign's sponsor and the `ad` tag as well."""
    sponsor = env.persona.disclosure.sponsor
    tags = ["ai_generated", *(["ad"] if sponsor else [])]
    return Disclosure(ai_generated=True, sponsor=sponsor, compliance_tags=tags)


def post_payload(env: Envelope) -> PostContent:
    """The post_content arguments for an approved (possibly edited) artifact."""
    draft = env.need_artifact().payload
    return PostContent(
        platform=draft.platform,
        tenant_id=env.run.tenant_id,
        agent_id=env.run.agent_id,
        content=PostBody(
            text=env.edited_text or draft.text,
            media_ids=draft.media_ids,
            reply_to_id=draft.reply_to_id,
        ),
        disclosure=disclosure_of(env),
        scheduling=Scheduling(mode="immediate"),
        tracking=Tracking(campaign_id=env.run.campaign_id, task_id=env.task.task_id),
    )


async def _publish(
    svc: Services, env: Envelope, payload: PostContent, key: str
) -> tuple[dict[str, Any], bool]:
    """Call `post_content` once behind the intent ledger.

    Args:
        svc: The app services (pool and MCP host).
        env: The envelope of the approved task.
        payload: The post_content arguments.
        key: The idempotency key of this side effect.

    Returns:
        The tool's result and whether an earlier post was reused.

    """
    run = env.run
    args = payload.model_dump(mode="json")
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        intent = await intents.claim_for_task(conn, run, env.task.task_id, KIND, key, args)
    if intent.status == "done" and intent.result is not None:
        return intent.result, True
    who = CallIdentity.of_run(run)
    result = await svc.host.call_tool("social", KIND, {**args, "idempotency_key": key}, who=who)
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        await intents.complete(conn, key, result)
    return result, bool(result.get("duplicate"))


async def _failed(svc: Services, env: Envelope, exc: Exception) -> Command[Literal["dispatch"]]:
    """Fail the task with the tool's error (recorded) and go back to dispatch.

    Args:
        svc: The app services (database pool).
        env: The envelope of the task that could not be published.
        exc: The tool's refusal.

    Returns:
        The command marking the task failed.

    """
    run, task_id = env.run, env.task.task_id
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        await repo.set_task_status(conn, task_id, TaskStatus.FAILED)
        detail = {"kind": KIND, "error": str(exc)[:2000]}
        await repo.audit_run(conn, run, "publish_failed", task_id=task_id, detail=detail)
    return Command(update=ended(task_id, TaskStatus.FAILED, str(exc), "worker"), goto="dispatch")


async def refusal(svc: Services, env: Envelope, text: str, ctx: Context) -> list[str]:
    """Why the campaign's current policy forbids publishing `text` now (empty: it may go).

    A post whose side effect was already claimed under this task's key (a commit replayed
    after a crash) is not checked again: it passed then and may be out; the replay records it.

    Args:
        svc: The app services (pool, policies directory).
        env: The envelope of the approved artifact.
        text: The exact text about to be published.
        ctx: The run's context.

    Returns:
        One reason per violated rule.

    """
    run, artifact = env.run, env.need_artifact()
    key = intents.idempotency_key(run.tenant_id, run.campaign_id, env.task.task_id, KIND)
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        if await intents.is_claimed(conn, key):
            return []
        now = await judge_context.resolve(svc.settings.policies_dir, conn, env, ctx)
    platform = artifact.payload.platform
    return publish_violations(text, now.persona, platform, artifact.source_text)


async def _refused(
    svc: Services, env: Envelope, reasons: list[str]
) -> Command[Literal["dispatch"]]:
    """Reject the task unpublished, with the reasons, in state, task row and audit log."""
    run, task_id = env.run, env.task.task_id
    reason = "Refused at publish time by the campaign's current policy: " + " ".join(reasons)
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        await repo.set_task_status(conn, task_id, TaskStatus.REJECTED)
        detail = {"kind": KIND, "reasons": reasons, "edited": env.edited_text is not None}
        await repo.audit_run(conn, run, "publish_refused", task_id=task_id, detail=detail)
    return Command(update=ended(task_id, TaskStatus.REJECTED, reason, "judge"), goto="dispatch")


async def _record(
    svc: Services,
    env: Envelope,
    payload: PostContent,
    key: str,
    result: dict[str, Any],
    reused: bool,
) -> None:
    """Record the post, mark the task done and audit the side effect.

    Args:
        svc: The app services (database pool).
        env: The envelope of the published task.
        payload: The post_content arguments that were sent.
        key: The idempotency key of the side effect.
        result: The tool's result.
        reused: Whether an earlier post was reused.

    """
    run, task_id = env.run, env.task.task_id
    async with tenant_tx(svc.pool, run.tenant_id) as conn:
        kind = "reply" if payload.content.reply_to_id else "post"
        await repo.record_post(
            conn, run, task_id, payload.platform, payload.content.text, result, kind
        )
        await repo.set_task_status(conn, task_id, TaskStatus.DONE)
        detail = {"kind": KIND, "key": key, "reused": reused, **result}
        await repo.audit_run(conn, run, "side_effect", task_id=task_id, detail=detail)


async def commit_post(
    svc: Services, env: Envelope, ctx: Context | None = None
) -> Command[Literal["dispatch"]]:
    """Check the text against the current policy, publish it once, record it, go to dispatch.

    Args:
        svc: The app services.
        env: The envelope of the approved (possibly edited) artifact.
        ctx: The run's context (default: the defaults).

    Returns:
        The command recording the published post, or rejecting (policy) or failing (tool) it.

    """
    run, task = env.run, env.task
    payload = post_payload(env)
    if reasons := await refusal(svc, env, payload.content.text, ctx or Context()):
        return await _refused(svc, env, reasons)
    key = intents.idempotency_key(run.tenant_id, run.campaign_id, task.task_id, KIND)
    # Cadence step (nodes.commit_calendar): over the plan's cadence, the post waits for its slot.
    deferred = await defer_to_slot(svc, env, payload, key)
    if deferred is not None:
        return Command(
            update={
                "published": {task.task_id: deferred},
                "status": {task.task_id: TaskStatus.DONE},
            },
            goto="dispatch",
        )
    try:
        result, reused = await _publish(svc, env, payload, key)
    except (InvalidToolArguments, ToolConflict) as exc:
        return await _failed(svc, env, exc)
    published = Published(
        task_id=task.task_id,
        kind=KIND,
        external_id=result["post_id"],
        platform=payload.platform,
        text=payload.content.text,
        reused=reused,
    )
    await _record(svc, env, payload, key, result, reused)
    return Command(
        update={
            "published": {task.task_id: published},
            "status": {task.task_id: TaskStatus.DONE},
        },
        goto="dispatch",
    )


def make_commit(svc: Services) -> Node[Envelope, Command[Literal["dispatch"]]]:
    """Build the node with its services."""

    async def commit(state: Envelope, runtime: Runtime[Context]) -> Command[Literal["dispatch"]]:
        """Publish the approved artifact once, record it, and go back to dispatch."""
        if state.transaction is not None:
            return await commit_payment(svc, state)
        return await commit_post(svc, state, context_of(runtime))

    return commit
