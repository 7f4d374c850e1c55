"""The perception loop from the CLI and notebooks: passes whose runs this process drives.

The pass itself (`skills.trend_detection_alerting.alerting`) is told how to start a run and how
to expire due reviews; here both go through this process's runner and inbox. Under the
LangGraph server the same pass starts runs through the server's API instead
(`chimera.serving.graphs`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chimera.control.agent_state import AgentPaused
from chimera.resources import Services
from chimera.runs.inbox import expire_due
from chimera.runs.runner import run_campaign
from chimera.strategies.relevance import Relevance
from skills.trend_detection_alerting.alerting import (
    PassOptions,
    PerceiveReport,
    StartEngagement,
    StartRun,
    engagement_goal,
    goal_for,
    perceive,
)
from state.context import Context
from state.contracts import Trend
from state.persona import Persona

__all__ = ["InProcessRuns", "PerceiveReport", "engagement_starter", "perceive_once", "run_starter"]


def run_starter(svc: Services, ctx: Context) -> StartRun:
    """Start a campaign run on this process's services and drive it to its end or a review."""

    async def start(persona: Persona, trend: Trend, campaign_id: str) -> str:
        try:
            summary = await run_campaign(
                svc,
                agent_id=persona.agent_id,
                goal=goal_for(trend, persona),
                campaign_id=campaign_id,
                context=ctx,
            )
        except AgentPaused:  # an operator paused the agent: perception starts no run
            return "refused"
        return summary.state

    return start


def engagement_starter(svc: Services, ctx: Context) -> StartEngagement:
    """Start an engagement run (replies only) here and drive it to its end or a review."""
    replies_only = replace(ctx, engagement_only=True)

    async def start(persona: Persona, campaign_id: str) -> str:
        summary = await run_campaign(
            svc,
            agent_id=persona.agent_id,
            goal=engagement_goal(persona),
            campaign_id=campaign_id,
            context=replies_only,
        )
        return summary.state

    return start


class InProcessRuns:
    """`RunControl` on this process's runner and inbox (the CLI, notebooks, tests)."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc

    def starter(self, ctx: Context) -> StartRun:
        """Runs driven here, to their end or their first review."""
        return run_starter(self._svc, ctx)

    def engager(self, ctx: Context) -> StartEngagement:
        """Engagement runs driven here, to their end or their first review."""
        return engagement_starter(self._svc, ctx)

    async def expire_reviews(self, tenant_id: str) -> list[str]:
        """Expire the tenant's due reviews through the inbox."""
        return await expire_due(self._svc, tenant_id)


async def perceive_once(
    svc: Services,
    agent_id: str,
    *,
    ctx: Context | None = None,
    start_run: StartRun | None = None,
    relevance: Relevance | None = None,
    start_engagement: StartEngagement | None = None,
    **options: Any,
) -> PerceiveReport:
    """One pass for an agent; runs start in this process unless `start_run` says otherwise.

    `options` are the fields of `PassOptions` (now, window_hours, min_cluster_score, consumer,
    embeddings).
    """
    ctx = ctx or Context()
    return await perceive(
        svc,
        agent_id,
        start_run=start_run or run_starter(svc, ctx),
        # An injected run starter (tests, other drivers) injects engagement runs too.
        start_engagement=start_engagement or (None if start_run else engagement_starter(svc, ctx)),
        expire_reviews=InProcessRuns(svc).expire_reviews,
        ctx=ctx,
        options=PassOptions(**options),
        relevance=relevance,
    )
