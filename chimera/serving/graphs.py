"""Graph factories named in `langgraph.json`: compiled WITHOUT a checkpointer (the server owns it).

Under the server, the perception graph starts campaign runs through the server's own API (the
LangGraph SDK's in-process client), so every run it starts is a server run that Studio, Agent
Inbox and the console see, on a thread tagged with its tenant. Due reviews are expired with the
inbox on the same Postgres checkpointer the server uses.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import httpx
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph_sdk import get_client

from chimera.control.errors import RunInProgress
from chimera.resources import Services
from chimera.runs.inbox import expire_due
from chimera.serving.process import process_services
from graphs.campaign import build_campaign_graph
from graphs.perception import build_perception_graph
from skills.trend_detection_alerting.alerting import (
    StartEngagement,
    StartRun,
    engagement_goal,
    goal_for,
)
from state.context import Context
from state.contracts import Trend
from state.inputs import RunRequest
from state.persona import Persona

Compiled = CompiledStateGraph[Any, Any, Any, Any]


def server_thread_id(campaign_id: str) -> str:
    """The server thread of a campaign started by perception (the server wants UUIDs)."""
    return str(uuid5(NAMESPACE_URL, f"chimera:campaign:{campaign_id}"))


class ServerRuns:
    """`RunControl` under the LangGraph server: runs are created through its API."""

    def __init__(self, svc: Services, assistant_id: str = "campaign") -> None:
        self._svc = svc
        self._assistant = assistant_id

    async def _create(self, persona: Persona, goal: str, campaign_id: str, ctx: Context) -> str:
        """Create a background server run for the campaign (409: one is already active)."""
        client = get_client(url=None)
        thread_id = server_thread_id(campaign_id)
        meta = {"tenant_id": persona.tenant_id, "campaign_id": campaign_id}
        await client.threads.create(thread_id=thread_id, if_exists="do_nothing", metadata=meta)
        request = RunRequest(
            tenant_id=persona.tenant_id,
            agent_id=persona.agent_id,
            campaign_id=campaign_id,
            goal=goal,
        )
        try:
            run = await client.runs.create(
                thread_id,
                self._assistant,
                input=request.model_dump(mode="json"),
                context=asdict(ctx),
                metadata=meta,
                multitask_strategy="reject",
            )
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 409:
                raise RunInProgress(f"campaign {campaign_id!r} has an active run") from exc
            raise
        return str(run["status"])

    def starter(self, ctx: Context) -> StartRun:
        """Server runs riding a trend."""

        async def start(persona: Persona, trend: Trend, campaign_id: str) -> str:
            return await self._create(persona, goal_for(trend, persona), campaign_id, ctx)

        return start

    def engager(self, ctx: Context) -> StartEngagement:
        """Server engagement runs (replies only)."""
        replies_only = replace(ctx, engagement_only=True)

        async def start(persona: Persona, campaign_id: str) -> str:
            goal = engagement_goal(persona)
            return await self._create(persona, goal, campaign_id, replies_only)

        return start

    async def expire_reviews(self, tenant_id: str) -> list[str]:
        """Expire the tenant's due reviews (same checkpointer, same campaign lease)."""
        return await expire_due(self._svc, tenant_id)


async def make_campaign_graph(config: RunnableConfig) -> Compiled:
    """The campaign graph for the server."""
    return build_campaign_graph(await process_services()).compile()


async def make_perception_graph(config: RunnableConfig) -> Compiled:
    """The perception graph for the server; the runs it starts are server runs."""
    svc = await process_services()
    return build_perception_graph(svc, ServerRuns(svc)).compile()
