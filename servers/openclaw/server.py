"""The OpenClaw bridge MCP server (CONTRACTS §8): presence, trend signals, collaborations.

Every call carries the caller's tenant (payload or `_meta`, and they must agree) and acts for
the caller's agent only. The embedded router behind it delivers inside this deployment.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from mcp.server.fastmcp import Context, FastMCP
from pydantic import Field

from chimera.platform.settings import Settings
from servers.openclaw.bridge import Bridge
from servers.openclaw.collab import Collaborations
from servers.openclaw.models import AgentId, Availability, Decision, Proposal, Trend
from servers.openclaw.remote import RemoteRouter
from servers.openclaw.router import EmbeddedRouter
from servers.runtime import InvalidArgument, caller, database_lifespan, serve


@asynccontextmanager
async def bridge_lifespan(server: FastMCP[Any]) -> AsyncIterator[Bridge]:
    """The runtime-role pool and the embedded router; the remote router's client when set."""
    async with database_lifespan(server) as base, contextlib.AsyncExitStack() as stack:
        router = EmbeddedRouter(base.pool, base.settings)
        yield Bridge(router, Collaborations(router), await _remote(base.settings, stack))


async def _remote(settings: Settings, stack: contextlib.AsyncExitStack) -> RemoteRouter | None:
    if settings.openclaw_router != "remote":
        return None
    if not settings.openclaw_router_url:
        raise RuntimeError("CHIMERA_OPENCLAW_ROUTER_URL is required with the remote router")
    client = await stack.enter_async_context(
        httpx.AsyncClient(base_url=settings.openclaw_router_url, timeout=10.0)
    )
    credentials = {t: c.get_secret_value() for t, c in settings.openclaw_router_credentials.items()}
    return RemoteRouter(client, credentials)


mcp = FastMCP(
    "openclaw",
    instructions="Agent network bridge: availability, trend signals and collaboration proposals.",
    lifespan=bridge_lifespan,
    log_level="WARNING",
)


def _bridge(ctx: Context[Any, Any, Any]) -> Bridge:
    bridge: Bridge = ctx.request_context.lifespan_context
    return bridge


def _who(
    ctx: Context[Any, Any, Any], tenant_id: str | None, agent_id: str | None
) -> tuple[str, str]:
    """The caller's tenant and agent; a payload agent must match the `_meta` agent."""
    sent = caller(ctx, tenant_id)
    meta_agent = sent.get("agent_id")
    if agent_id and meta_agent and agent_id != meta_agent:
        raise InvalidArgument("agent id of the payload does not match the caller's agent")
    agent = agent_id or meta_agent
    if not agent:
        raise InvalidArgument("agent_id is required")
    return sent["tenant_id"], agent


def _now() -> datetime:
    return datetime.now(UTC)


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidArgument(f"not an ISO-8601 time: {value!r}") from exc
    if moment.tzinfo is None:
        raise InvalidArgument("times must carry a UTC offset")
    return moment


@mcp.tool(description="Publish this agent's availability (on every state change).")
async def publish_availability(
    tenant_id: str, agent_id: AgentId, availability: Availability, ctx: Context
) -> dict[str, Any]:
    """Store the shareable projection; `published: false` when the policy shares nothing."""
    tenant, agent = _who(ctx, tenant_id, agent_id)
    entry = await _bridge(ctx).publish(tenant, agent, availability, _now())
    return {"published": entry is not None, "availability": entry}


@mcp.resource(
    "agent://status/availability",
    mime_type="application/json",
    description="The calling agent's published availability (CONTRACTS §8).",
)
async def availability() -> str:
    """The caller's own record."""
    # A static resource gets no injected Context (FastMCP matches parameterless templates as
    # falsy), so every resource here asks the server for the current request's context.
    ctx = mcp.get_context()
    tenant, agent = _who(ctx, None, None)
    return json.dumps(await _bridge(ctx).own(tenant, agent))


@mcp.resource(
    "agent://network/availability",
    mime_type="application/json",
    description="Availability of every agent the caller's and their tenants' policies allow.",
)
async def network() -> str:
    """The directory as this tenant may see it."""
    ctx = mcp.get_context()
    tenant, _ = _who(ctx, None, None)
    return json.dumps({"agents": await _bridge(ctx).visible(tenant)})


@mcp.tool(description="Share a trend's high-level signal (topic, confidence, regions, tags).")
async def share_trend_signal(
    from_agent_id: AgentId,
    tenant_id: str,
    trend: Trend,
    expires_at: str,
    ctx: Context,
    intended_recipients: Annotated[
        str | list[AgentId], Field(description='"broadcast" or a list of agent ids')
    ] = "broadcast",
) -> dict[str, Any]:
    """Deliver to reachable recipients; summary and source resources never leave."""
    tenant, agent = _who(ctx, tenant_id, from_agent_id)
    if isinstance(intended_recipients, str) and intended_recipients != "broadcast":
        raise InvalidArgument('intended_recipients is "broadcast" or a list of agent ids')
    to = None if isinstance(intended_recipients, str) else intended_recipients
    bridge = _bridge(ctx)
    return await bridge.share(tenant, agent, trend, to, _moment(expires_at), _now())


@mcp.resource(
    "openclaw://inbox/signals",
    mime_type="application/json",
    description="Trend signals received by the calling agent, highest priority first.",
)
async def inbox_signals() -> str:
    """Unexpired received signals."""
    ctx = mcp.get_context()
    tenant, agent = _who(ctx, None, None)
    return json.dumps({"signals": await _bridge(ctx).signals(tenant, agent, _now())})


@mcp.tool(description="Propose a collaboration to another agent (CONTRACTS §8).")
async def propose_collaboration(
    from_agent_id: AgentId,
    to_agent_id: AgentId,
    tenant_id: str,
    proposal: Proposal,
    ctx: Context,
) -> dict[str, Any]:
    """A pending proposal in both agents' records."""
    tenant, agent = _who(ctx, tenant_id, from_agent_id)
    return await _bridge(ctx).propose(tenant, agent, to_agent_id, proposal, _now())


@mcp.tool(description="Accept, reject or modify (with counter-terms) a received proposal.")
async def respond_to_collaboration(
    tenant_id: str,
    agent_id: AgentId,
    proposal_id: Annotated[str, Field(pattern=r"^prop-[0-9a-f]{20}$")],
    decision: Decision,
    ctx: Context,
    counter_terms: Proposal | None = None,
    reason: Annotated[str, Field(max_length=280)] = "",
) -> dict[str, Any]:
    """Both agents' records show the answer."""
    tenant, agent = _who(ctx, tenant_id, agent_id)
    bridge = _bridge(ctx)
    return await bridge.respond(tenant, agent, proposal_id, decision, counter_terms, reason, _now())


@mcp.resource(
    "openclaw://inbox/proposals",
    mime_type="application/json",
    description="Collaboration proposals the calling agent sent or received, newest first.",
)
async def inbox_proposals() -> str:
    """Both sides of the agent's proposals."""
    ctx = mcp.get_context()
    tenant, agent = _who(ctx, None, None)
    return json.dumps({"proposals": await _bridge(ctx).listing(tenant, agent)})


# The same records named in the URI, for clients that cannot send `_meta` (MCP Inspector): over
# stdio the URI's tenant is trusted like the process; over HTTP it must be the token's tenant.


@mcp.resource(
    "agent://{tenant_id}/{agent_id}/status/availability",
    mime_type="application/json",
    description="An agent's own published availability, named in the URI.",
)
async def availability_of(tenant_id: str, agent_id: str) -> str:
    """`agent://status/availability` for the agent the URI names."""
    ctx = mcp.get_context()
    tenant, agent = _who(ctx, tenant_id, agent_id)
    return json.dumps(await _bridge(ctx).own(tenant, agent))


@mcp.resource(
    "openclaw://{tenant_id}/{agent_id}/inbox/signals",
    mime_type="application/json",
    description="Trend signals received by the agent the URI names, highest priority first.",
)
async def inbox_signals_of(tenant_id: str, agent_id: str) -> str:
    """`openclaw://inbox/signals` for the agent the URI names."""
    ctx = mcp.get_context()
    tenant, agent = _who(ctx, tenant_id, agent_id)
    return json.dumps({"signals": await _bridge(ctx).signals(tenant, agent, _now())})


@mcp.resource(
    "openclaw://{tenant_id}/{agent_id}/inbox/proposals",
    mime_type="application/json",
    description="Collaboration proposals of the agent the URI names, newest first.",
)
async def inbox_proposals_of(tenant_id: str, agent_id: str) -> str:
    """`openclaw://inbox/proposals` for the agent the URI names."""
    ctx = mcp.get_context()
    tenant, agent = _who(ctx, tenant_id, agent_id)
    return json.dumps({"proposals": await _bridge(ctx).listing(tenant, agent)})


def main() -> None:
    """Run standalone."""
    serve(mcp)
