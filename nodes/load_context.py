"""load_context: validate the input, load the persona, register the run, read the world."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from langgraph.runtime import Runtime

from chimera.control import judge_context, repo
from chimera.control.personas import tenant_persona
from chimera.mcp.errors import McpCallError
from chimera.mcp.host import CallIdentity
from chimera.memory.recall import recall
from chimera.platform.db import tenant_tx
from chimera.platform.episodic import EpisodicMemory
from chimera.resources import Services
from chimera.signals.engagement import best_angles, prefer
from chimera.signals.feeds import read_mentions, read_news, trend_signals
from nodes.contracts import Node, thread_of
from state.context import Context, context_of
from state.graph import CampaignState
from state.inputs import RunRequest
from state.persona import Persona

log = logging.getLogger(__name__)

DEFAULT_CRITERIA = ["High engagement rate", "On-brand tone", "Compliance with persona directives"]


class ThreadOwnershipError(PermissionError):
    """The thread id is unknown to the caller's tenant."""


async def _persona(svc: Services, request: RunRequest) -> Persona:
    """Load the agent's SOUL.md and check that it belongs to the requesting tenant.

    Args:
        svc: The app services (agents directory).
        request: The validated run request.

    Returns:
        The persona as written in SOUL.md.

    Raises:
        PersonaError: the agent is unknown, invalid, or another tenant's.

    """
    return await tenant_persona(svc.settings.agents_dir, request.tenant_id, request.agent_id)


async def _register(svc: Services, request: RunRequest, thread_id: str) -> dict[str, Any]:
    """Register the campaign and the thread, check the thread's owner, audit the run's start.

    Args:
        svc: The app services (database pool).
        request: The validated run request.
        thread_id: The LangGraph thread of this run.

    Returns:
        The campaign row.

    Raises:
        ThreadOwnershipError: the thread belongs to another campaign or tenant.

    """
    async with tenant_tx(svc.pool, request.tenant_id) as conn:
        campaign = await repo.ensure_campaign(
            conn, request.tenant_id, request.agent_id, request.campaign, request.goal
        )
        await repo.register_thread(
            conn, thread_id, request.tenant_id, request.agent_id, request.campaign
        )
        thread = await repo.get_thread(conn, thread_id)
        if thread is None or thread["campaign_id"] != request.campaign:
            raise ThreadOwnershipError(f"thread {thread_id!r} not found for this campaign")
        await repo.audit(
            conn,
            request.tenant_id,
            "run_started",
            agent_id=request.agent_id,
            campaign_id=request.campaign,
            thread_id=thread_id,
            detail={"goal": request.goal},
        )
    return campaign


async def _read_world(
    svc: Services, persona: Persona, who: CallIdentity, goal: str, runtime: Runtime[Context]
) -> dict[str, Any]:
    """Read news, mentions, recalled memory and the best-performing angles for the run.

    Args:
        svc: The app services (MCP host, Redis, pool, settings).
        persona: The run's persona (its news resources).
        who: The caller identity for MCP calls.
        goal: The campaign goal (the memory query).
        runtime: The node's runtime (its context).

    Returns:
        The `trends`, `mentions` and `memory` state fields.

    """
    feeds = svc.settings.news_feeds
    reads = await asyncio.gather(
        *(read_news(svc.host, svc.redis, uri, who, feeds) for uri in persona.news_resources)
    )
    mentions, warnings = await read_mentions(svc.host, who)
    warnings = [w for read in reads for w in read.warnings] + warnings
    episodic = EpisodicMemory(svc.redis, svc.settings.episodic_max, svc.settings.episodic_ttl_s)
    memory = await recall(svc.host, episodic, who, goal, context_of(runtime))
    try:
        best = await best_angles(svc.host, svc.pool, who)
    except McpCallError as exc:
        best = []
        warnings.append(f"engagement signals unavailable ({exc}); angles from news only")
    await _audit_degraded(svc, who, warnings)
    return {
        "trends": prefer(trend_signals([item for read in reads for item in read.items]), best),
        "mentions": mentions,
        "memory": memory,
    }


async def _audit_degraded(svc: Services, who: CallIdentity, warnings: list[str]) -> None:
    """Record each skipped or stale source, so the run report names it (and log it)."""
    for warning in warnings:
        log.warning("degraded source: %s", warning)
    if not warnings:
        return
    async with tenant_tx(svc.pool, who.tenant_id) as conn:
        thread = await repo.get_thread(conn, who.run_id)
        for warning in warnings:
            await repo.audit(
                conn,
                who.tenant_id,
                "source_degraded",
                agent_id=who.agent_id,
                campaign_id=thread["campaign_id"] if thread else None,
                thread_id=who.run_id,
                detail={"warning": warning},
            )


async def load_run(
    svc: Services, state: CampaignState, runtime: Runtime[Context]
) -> dict[str, Any]:
    """Validate the run, load SOUL.md, register campaign and thread, read news and mentions.

    Args:
        svc: The app services.
        state: The graph input.
        runtime: The node's runtime (its context and thread).

    Returns:
        The state update starting the campaign.

    """
    request = RunRequest.model_validate(state)
    persona = await _persona(svc, request)
    thread_id = thread_of(runtime)
    campaign = await _register(svc, request, thread_id)
    persona = await judge_context.persona_for_run(svc.settings.policies_dir, persona, campaign)
    who = CallIdentity(request.tenant_id, request.agent_id, thread_id)
    world = await _read_world(svc, persona, who, request.goal, runtime)
    return {
        "campaign_id": request.campaign,
        "goal": request.goal,
        "persona": persona,
        "state_version": int(campaign["state_version"]),
        **world,
        "success_criteria": campaign["config"].get("success_criteria", DEFAULT_CRITERIA),
        "replans": 0,
    }


def make_load_context(svc: Services) -> Node[CampaignState, dict[str, Any]]:
    """Build the node with its services."""

    async def load_context(state: CampaignState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Validate the run, load SOUL.md, register campaign and thread, read news and mentions."""
        return await load_run(svc, state, runtime)

    return load_context
