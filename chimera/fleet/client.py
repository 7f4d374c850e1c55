"""Talking to Temporal: the client, the task queue of each tenant, starting campaign workflows.

Each tenant has its own task queue (`<prefix>-<tenant_id>`), and a worker runs one poller per
queue with its own concurrency: one tenant's flood of runs waits in its own queue instead of
starving the others. A campaign's workflow id derives from its tenant and campaign id, so a
second start of a running campaign is refused by Temporal itself (`RunInProgress`).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, replace

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from chimera.control.errors import RunInProgress
from chimera.fleet.contracts import WORKFLOW_CAMPAIGN, CampaignRunInput, RunResult
from chimera.platform.settings import Settings
from chimera.platform.temporal import ensure_temporal
from chimera.resources import Services
from chimera.runs.inbox import expire_due
from skills.trend_detection_alerting.alerting import (
    StartEngagement,
    StartRun,
    engagement_goal,
    goal_for,
)
from state.context import Context
from state.contracts import Trend
from state.persona import Persona


async def connect(settings: Settings) -> Client:
    """A client of the configured (or embedded, started if needed) Temporal server."""
    endpoint = await asyncio.to_thread(ensure_temporal, settings)
    return await Client.connect(endpoint.address, namespace=endpoint.namespace)


def task_queue(settings: Settings, tenant_id: str) -> str:
    """The task queue of one tenant's workflows and activities."""
    return f"{settings.temporal_task_queue}-{tenant_id}"


def campaign_workflow_id(tenant_id: str, campaign_id: str) -> str:
    """The workflow id of a campaign's run (unique per tenant and campaign)."""
    return f"campaign:{tenant_id}:{campaign_id}"


async def start_campaign(
    client: Client, settings: Settings, request: CampaignRunInput
) -> WorkflowHandle[object, RunResult]:
    """Start the campaign's `CampaignRun` workflow.

    Raises:
        RunInProgress: a workflow for this campaign is running already.

    """
    try:
        return await client.start_workflow(
            WORKFLOW_CAMPAIGN,
            request,
            id=campaign_workflow_id(request.tenant_id, request.campaign_id),
            task_queue=task_queue(settings, request.tenant_id),
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            result_type=RunResult,
        )
    except WorkflowAlreadyStartedError as exc:
        raise RunInProgress(f"campaign {request.campaign_id!r} has a running workflow") from exc


def context_values(ctx: Context) -> dict[str, object]:
    """A Context as JSON values for a workflow input."""
    return {k: v for k, v in asdict(ctx).items() if isinstance(v, str | int | float | bool | list)}


class TemporalRuns:
    """`RunControl` of the fleet: a relevant alert starts a `CampaignRun` workflow."""

    def __init__(self, svc: Services, client: Client) -> None:
        self._svc = svc
        self._client = client

    def starter(self, ctx: Context) -> StartRun:
        """Start workflows (not runs in this process): any worker of the tenant drives them."""

        async def start(persona: Persona, trend: Trend, campaign_id: str) -> str:
            request = CampaignRunInput(
                tenant_id=persona.tenant_id,
                agent_id=persona.agent_id,
                goal=goal_for(trend, persona),
                campaign_id=campaign_id,
                context=context_values(ctx),
            )
            handle = await start_campaign(self._client, self._svc.settings, request)
            return f"workflow {handle.id}"

        return start

    def engager(self, ctx: Context) -> StartEngagement:
        """Start an engagement (replies only) `CampaignRun` workflow."""
        replies_only = replace(ctx, engagement_only=True)

        async def start(persona: Persona, campaign_id: str) -> str:
            request = CampaignRunInput(
                tenant_id=persona.tenant_id,
                agent_id=persona.agent_id,
                goal=engagement_goal(persona),
                campaign_id=campaign_id,
                context=context_values(replies_only),
            )
            handle = await start_campaign(self._client, self._svc.settings, request)
            return f"workflow {handle.id}"

        return start

    async def expire_reviews(self, tenant_id: str) -> list[str]:
        """Expire the tenant's due reviews through the inbox."""
        return await expire_due(self._svc, tenant_id)
