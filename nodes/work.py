"""work: run one task through its writer and hand the artifact to the judge.

No side effects here: the draft travels on to `judge` in its own Send.
"""

from __future__ import annotations

from typing import Literal

from langchain_core.exceptions import OutputParserException
from langgraph.runtime import Runtime
from langgraph.types import Command, Send
from pydantic import ValidationError

from chimera.app import Services
from chimera.logs import bind_log_ids
from chimera.mcp_errors import McpCallError
from chimera.progress import emit_progress
from chimera.repo import stable_id
from chimera.strategies.base import Writer
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
from state.records import Envelope, Rejection, TaskStatus
from state.types import utc_now


async def work_transaction(
    svc: Services, env: Envelope, ctx: Context
) -> Command[Literal["judge", "dispatch"]]:
    """Propose the task's payment (no side effect); the judge hands it to the CFO."""
    task_id = env.task.task_id
    try:
        artifact, request = await draft_transaction(svc.host, env, ctx)
    except DraftError as exc:
        reason = str(exc)[:2000]
        return Command(
            update={
                "status": {task_id: TaskStatus.FAILED},
                "rejections": [Rejection(task_id=task_id, reason=reason, by="worker")],
            },
            goto="dispatch",
        )
    routed = env.model_copy(update={"artifact": artifact, "transaction": request})
    return Command(update={"artifacts": {task_id: artifact}}, goto=Send("judge", routed))


def make_work(svc: Services):  # type: ignore[no-untyped-def]
    """Build the node with its services."""

    async def draft(
        env: Envelope, ctx: Context, writer: Writer
    ) -> tuple[CaptionPayload, list[MediaRef]]:
        """The writer's text, plus rendered media for a post (multimodal skill)."""
        payload = await writer.write(env.task, env.persona)
        if env.task.task_type != TaskType.PUBLISH_POST or not ctx.render_media:
            return payload, []
        tier: Literal["daily", "hero"] = "hero" if ctx.media_tier == "hero" else "daily"
        payload, media, _ = await attach_media(
            svc, env.task, env.persona, payload, tier, ctx.media_budget_usd
        )
        return payload, media

    async def work(
        env: Envelope, runtime: Runtime[Context]
    ) -> Command[Literal["judge", "dispatch"]]:
        """Draft the task's content."""
        task = env.task
        bind_log_ids(task_id=task.task_id, **env.run.model_dump(exclude={"state_version"}))
        emit_progress("work", task_id=task.task_id, task_type=task.task_type)
        ctx = context_of(runtime)
        if task.task_type == TaskType.EXECUTE_TRANSACTION:
            return await work_transaction(svc, env, ctx)
        writer = svc.strategies.for_model(ctx.model).writer
        try:
            payload, media = await draft(env, ctx, writer)
        except (OutputParserException, ValidationError, ContentRequestError, McpCallError) as exc:
            reason = f"worker produced no valid draft: {str(exc)[:300]}"
            return Command(
                update={
                    "status": {task.task_id: TaskStatus.FAILED},
                    "rejections": [Rejection(task_id=task.task_id, reason=reason, by="worker")],
                },
                goto="dispatch",
            )
        kind = (
            ArtifactType.REPLY if task.task_type == TaskType.REPLY_COMMENT else ArtifactType.CAPTION
        )
        artifact = Artifact(
            artifact_id=stable_id("art", task.task_id, str(env.run.state_version)),
            task_id=task.task_id,
            agent_id=task.agent_id,
            tenant_id=task.tenant_id,
            artifact_type=kind,
            payload=payload,
            generation_metadata=GenerationMetadata(
                model=writer.name, temperature=0.7, prompt_version=f"{kind}_v1"
            ),
            state_snapshot_version=env.run.state_version,
            created_at=utc_now(),
            source_text=task.params.get("mention_text", ""),
            media=media,
        )
        return Command(
            update={"artifacts": {task.task_id: artifact}},
            goto=Send("judge", env.model_copy(update={"artifact": artifact})),
        )

    return work
