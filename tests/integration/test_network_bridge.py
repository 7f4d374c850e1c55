"""The OpenClaw bridge standalone: a plain MCP client over stdio (specs/network.md §1)."""

from __future__ import annotations

import json
import os
import sys
import uuid
from typing import Any

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from pydantic import AnyUrl

from chimera.platform.settings import REPO_ROOT
from chimera.resources import Services
from tests.support.network import WALLET


async def _read(session: ClientSession, uri: str, meta: dict[str, Any]) -> types.ReadResourceResult:
    request = types.ClientRequest(
        types.ReadResourceRequest(
            params=types.ReadResourceRequestParams(
                uri=AnyUrl(uri), _meta=types.RequestParams.Meta(**meta)
            )
        )
    )
    return await session.send_request(request, types.ReadResourceResult)


async def test_a_plain_mcp_client_lists_and_calls_the_bridge_over_stdio(svc: Services) -> None:
    """specs/network.md §1, §1.1, §2.1"""
    tenant, agent = f"tenant-s-{uuid.uuid4().hex[:8]}", f"agent-s-{uuid.uuid4().hex[:8]}"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "servers.openclaw"],
        env={
            **os.environ,
            "CHIMERA_POSTGRES_URI": svc.endpoints.pg_admin,
            "CHIMERA_REDIS_URI": svc.endpoints.redis,
            "CHIMERA_HOME": str(svc.settings.home),
        },
        cwd=str(REPO_ROOT),
    )
    meta = {"tenant_id": tenant, "agent_id": agent}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = {t.name for t in (await session.list_tools()).tools}
        assert tools == {
            "publish_availability", "share_trend_signal", "propose_collaboration",
            "respond_to_collaboration",
        }  # fmt: skip
        uris = {str(r.uri) for r in (await session.list_resources()).resources} | {
            t.uriTemplate for t in (await session.list_resource_templates()).resourceTemplates
        }
        assert uris == {
            "agent://status/availability", "agent://network/availability",
            "openclaw://inbox/signals", "openclaw://inbox/proposals",
            "agent://{tenant_id}/{agent_id}/status/availability",
            "openclaw://{tenant_id}/{agent_id}/inbox/signals",
            "openclaw://{tenant_id}/{agent_id}/inbox/proposals",
        }  # fmt: skip
        availability = {
            "status": "online", "niche": ["fashion"], "current_load": 0.4,
            "wallet": {"network": "base", "address": WALLET, "can_receive_tips": True},
        }  # fmt: skip
        done = await session.call_tool(
            "publish_availability",
            {"tenant_id": tenant, "agent_id": agent, "availability": availability},
        )
        assert not done.isError, done.content
        own = await _read(session, "agent://status/availability", meta)
        [content] = own.contents
        assert isinstance(content, types.TextResourceContents)
        record = json.loads(content.text)
        assert record["tenant_id"] == tenant and record["current_load"] == 0.4
        assert WALLET[2:].lower() not in content.text.lower()
        other = await session.call_tool(
            "publish_availability",
            {"tenant_id": "tenant-other", "agent_id": agent, "availability": availability},
            meta=meta,
        )
        assert other.isError and "does not match the caller's tenant" in str(other.content)
        impostor = await session.call_tool(
            "publish_availability",
            {"tenant_id": tenant, "agent_id": "agent-someone-else", "availability": availability},
            meta=meta,
        )
        assert impostor.isError and "does not match the caller's agent" in str(impostor.content)
        bad = await session.call_tool(
            "share_trend_signal",
            {"from_agent_id": agent, "tenant_id": tenant, "expires_at": "2026-02-06T18:00:00Z",
             "trend": {"id": "t1", "topic": "Raw Text With Spaces", "confidence": 0.9}},
        )  # fmt: skip
        assert bad.isError and "topic" in str(bad.content)
        # MCP Inspector cannot send `_meta`: the templated URIs name tenant and agent instead.
        named = await session.read_resource(AnyUrl(f"agent://{tenant}/{agent}/status/availability"))
        [content] = named.contents
        assert isinstance(content, types.TextResourceContents)
        assert json.loads(content.text)["current_load"] == 0.4
        for box, key in (("signals", "signals"), ("proposals", "proposals")):
            inbox = await session.read_resource(AnyUrl(f"openclaw://{tenant}/{agent}/inbox/{box}"))
            [content] = inbox.contents
            assert isinstance(content, types.TextResourceContents)
            assert json.loads(content.text)[key] == []
