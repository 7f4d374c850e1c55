"""work: run one task through its writer and hand the artifact to the judge.

No side effects here: the draft travels on to `judge` in its own Send.
"""

from __future__ import annotations

from typing import Literal

from langchain_core.exceptions import OutputParserException
from langgraph.runtime import Runtime
from langgraph.types import Command, Send
from pydantic import ValidationError

from chimera.control import usage
from chimera.mcp.errors import McpCallError
from chimera.platform.ids import stable_id
from chimera.platform.logs import bind_log_ids
from chimera.platform.progress import emit_progress
from chimera.resources import Services
from chimera.strategies.base import Writer
from chimera.strategies.usage import metered
from nodes.contracts import Node
from nodes.outcomes import ended
from skills.autonomous_transaction.draft import DraftError, draft_transaction
from skills.multimodal_content_generation import ContentRequestError
from skills.multimodal_content_generation.campaign import attach_media
from state.context import Context, context_of
from state.contracts import (
    Artifact,
    ArtifactType,
    CaptionPayload,
    GenerationMetadata,
    MediaRef,
    TaskType,
)
from state.records import Envelope, TaskStatus
from state.types import utc_now


async def work_transaction(
    svc: Services, env: Envelope, ctx: Context
) -> Command[Literal["judge", "dispatch"]]:
    """Propose the task's payment (no side effect); the judge hands it to the CFO."""
    task_id = env.task.task_id
    try:
        artifact, request = await draft_transaction(svc.host, env, ctx)
    except DraftError as exc:
        return Command(
            update=ended(task_id, TaskStatus.FAILED, str(exc), "worker"), goto="dispatch"
        )
    routed = env.model_copy(update={"artifact": artifact, "transaction": request})
    return Command(update={"artifacts": {task_id: artifact}}, goto=Send("judge", routed))


async def _draft(
    svc: Services, env: Envelope, ctx: Context, writer: Writer
) -> tuple[CaptionPayload, list[MediaRef]]:
    """The writer's text, plus rendered media for a post (multimodal skill).

    Args:
        svc: The app services (media rendering).
        env: The envelope of the task to draft.
        ctx: The run's context (media switches, tier and budget).
        writer: The strategy writing the text.

    Returns:
        The payload and the media attached to it (none unless a post renders media).

    """
    with metered() as meter:
        try:
            payload = await writer.write(env.task, env.persona, env.memory)
        finally:
            owner = usage.UsageOwner.of(env.run, env.task.task_id)
            await usage.save(svc.pool, owner, meter, svc.settings.llm_price_table())
    if env.task.task_type != TaskType.PUBLISH_POST or not ctx.render_media:
        return payload, []
    tier: Literal["daily", "hero"] = "hero" if ctx.media_tier == "hero" else "daily"
    payload, media, _ = await attach_media(
        svc, env.task, env.persona, payload, tier, ctx.media_budget_usd
    )
    return payload, media


def _artifact(
    env: Envelope, payload: CaptionPayload, media: list[MediaRef], writer: Writer
) -> Artifact:
    """The artifact of a drafted caption or reply, pinned to the run's state version.

    Args:
        env: The envelope of the drafted task.
        payload: The drafted payload.
        media: The media rendered for it.
        writer: The strategy that wrote it (its name goes into the metadata).

    Returns:
        The artifact the judge will assess.

    """
    task = env.task
    kind = ArtifactType.REPLY if task.task_type == TaskType.REPLY_COMMENT else ArtifactType.CAPTION
    return Artifact(
        artifact_id=stable_id("art", task.task_id, str(env.run.state_version)),
        task_id=task.task_id,
        agent_id=task.agent_id,
        tenant_id=task.tenant_id,
        artifact_type=kind,
        payload=payload,
        generation_metadata=GenerationMetadata(
            model=writer.name, temperature=0.7, prompt_version=writer.prompt_version
        ),
        state_snapshot_version=env.run.state_version,
        created_at=utc_now(),
        source_text=task.params.get("mention_text", ""),
        media=media,
    )


async def work_content(
    svc: Services, env: Envelope, ctx: Context
) -> Command[Literal["judge", "dispatch"]]:
    """Draft the task's caption or reply (with media) and send it to the judge.

    Args:
        svc: The app services.
        env: The envelope of the task to draft.
        ctx: The run's context.

    Returns:
        The command sending the artifact to `judge`, or failing the task when no valid draft came.

    """
    task = env.task
    writer = (await svc.strategies.for_run(ctx.model)).writer
    try:
        payload, media = await _draft(svc, env, ctx, writer)
    except (OutputParserException, ValidationError, ContentRequestError, McpCallError) as exc:
        reason = f"worker produced no valid draft: {str(exc)[:300]}"
        return Command(
            update=ended(task.task_id, TaskStatus.FAILED, reason, "worker"), goto="dispatch"
        )
    artifact = _artifact(env, payload, media, writer)
    return Command(
        update={"artifacts": {task.task_id: artifact}},
        goto=Send("judge", env.model_copy(update={"artifact": artifact})),
    )


def make_work(svc: Services) -> Node[Envelope, Command[Literal["judge", "dispatch"]]]:
    """Build the node with its services."""

    async def work(
        state: Envelope, runtime: Runtime[Context]
    ) -> Command[Literal["judge", "dispatch"]]:
        """Draft the task's content."""
        task = state.task
        bind_log_ids(task_id=task.task_id, **state.run.model_dump(exclude={"state_version"}))
        emit_progress("work", task_id=task.task_id, task_type=task.task_type)
        ctx = context_of(runtime)
        if task.task_type == TaskType.EXECUTE_TRANSACTION:
            return await work_transaction(svc, state, ctx)
        return await work_content(svc, state, ctx)

    return work
