"""The fleet's activities: the same runner, inbox and perception pass the CLI uses, on a worker.

One `FleetActivities` per worker process holds that process's `Services` and Temporal client.
Every activity heart-beats while it runs (`chimera.fleet.liveness`; `run_campaign` also after
every graph step, with the node's name), so a worker that dies is noticed within the workflow's
heartbeat timeout and the run continues on another worker from its last checkpoint; a worker
that shuts down hands its activities over at once. A campaign already driven elsewhere (its
lease is held) is retried later, never run twice.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from chimera.control.errors import AlreadyDecided, ReviewNotFound, RunInProgress
from chimera.control.summaries import RunSummary
from chimera.fleet.client import TemporalRuns
from chimera.fleet.contracts import (
    ACTIVITY_DECIDE,
    ACTIVITY_PERCEIVE,
    ACTIVITY_RUN,
    ACTIVITY_STATE,
    CampaignRunInput,
    PerceptionInput,
    PerceptionResult,
    ReviewDecisionInput,
    RunResult,
)
from chimera.fleet.liveness import alive
from chimera.resources import Services
from chimera.runs.inbox import decide
from chimera.runs.runner import campaign_summary, run_campaign
from skills.trend_detection_alerting.alerting import PassOptions, perceive
from state.context import Context
from state.review import ReviewDecision


def context_from(values: dict[str, Any]) -> Context:
    """A run Context from JSON values (unknown keys refused, like every other boundary)."""
    known = {f.name for f in fields(Context)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ApplicationError(f"unknown context fields: {unknown}", non_retryable=True)
    return Context(**values)


def result_of(summary: RunSummary) -> RunResult:
    """The workflow's view of a run summary."""
    return RunResult(
        campaign_id=summary.campaign_id,
        thread_id=summary.thread_id,
        state=summary.state,
        published=len(summary.published),
        pending_reviews=[str(r["review_id"]) for r in summary.pending_reviews],
        note=summary.note,
    )


def _beat(node: str, update: dict[str, Any]) -> None:
    activity.heartbeat(node)


class FleetActivities:
    """Activities bound to one worker's services and client."""

    def __init__(self, svc: Services, client: Client) -> None:
        self._svc = svc
        self._client = client

    @activity.defn(name=ACTIVITY_RUN)
    async def run_campaign(self, request: CampaignRunInput) -> RunResult:
        """Start, continue or report the campaign's run (the CLI's `chimera run`)."""
        try:
            async with alive():
                summary = await run_campaign(
                    self._svc,
                    agent_id=request.agent_id,
                    goal=request.goal,
                    campaign_id=request.campaign_id,
                    context=context_from(request.context),
                    progress=_beat,
                )
        except RunInProgress as exc:
            raise ApplicationError(str(exc), type="RunInProgress") from exc  # retried later
        return result_of(summary)

    @activity.defn(name=ACTIVITY_STATE)
    async def campaign_state(self, request: CampaignRunInput) -> RunResult:
        """Where the run stands now; an interrupted one is continued."""
        summary = await campaign_summary(self._svc, request.tenant_id, request.campaign_id)
        if summary is None or summary.state == "running":
            return await self.run_campaign(request)
        return result_of(summary)

    @activity.defn(name=ACTIVITY_DECIDE)
    async def decide_review(self, request: ReviewDecisionInput) -> RunResult:
        """Apply one decision through the inbox (exactly once: a decided review is refused)."""
        try:
            decision = ReviewDecision.model_validate(request.decision)
            async with alive():
                [summary] = await decide(
                    self._svc, request.tenant_id, [request.review_id], decision, progress=_beat
                )
        except (AlreadyDecided, ReviewNotFound, ValueError) as exc:
            raise ApplicationError(str(exc), type=type(exc).__name__, non_retryable=True) from exc
        return result_of(summary)

    @activity.defn(name=ACTIVITY_PERCEIVE)
    async def perceive_agent(self, request: PerceptionInput) -> PerceptionResult:
        """One perception pass; relevant alerts start `CampaignRun` workflows."""
        runs = TemporalRuns(self._svc, self._client)
        ctx = Context()
        async with alive():
            report = await perceive(
                self._svc,
                request.agent_id,
                start_run=runs.starter(ctx),
                start_engagement=runs.engager(ctx),
                expire_reviews=runs.expire_reviews,
                ctx=ctx,
                options=PassOptions(now=request.now, window_hours=request.window_hours),
            )
        return PerceptionResult(
            agent_id=request.agent_id,
            detected=len(report.detected),
            started=sorted(report.runs.values()),
            expired=report.expired,
        )

    def all(self) -> list[Any]:
        """Every activity of this worker."""
        return [self.run_campaign, self.campaign_state, self.decide_review, self.perceive_agent]
