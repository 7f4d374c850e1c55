"""MCP over streamable HTTP authenticates every request (specs/security.md §1).

Real servers in their own processes, a real MCP client (the Chimera host) over HTTP: no token,
a wrong token, another tenant's token, an operator tool without the operator token, and
caller-chosen budget caps are all refused; nothing is written by a refused call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from chimera.mcp.errors import ServerUnavailable, ToolForbidden, ToolNotFound
from chimera.mcp.host import SERVERS, McpHost
from chimera.mcp.wallet import OPERATOR_TOOLS
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from tests.conftest import ETHIOPIA, LAGOS
from tests.support.http_servers import TOKENS, client, http_server
from tests.support.mcp import ABC, WHO_ABC, WHO_XYZ, XYZ, new_key, post_payload, rows_for
from tests.support.wallet import campaign, recipient, send_args

ALLOW = {"social": SERVERS["social"], "wallet": OPERATOR_TOOLS, "openclaw": SERVERS["openclaw"]}


@pytest.fixture(scope="module")
async def urls(svc: Services) -> AsyncIterator[dict[str, str]]:
    """The social and wallet servers over HTTP; both tenants' agents registered."""
    for tenant, agent in ((XYZ, ETHIOPIA), (ABC, LAGOS)):
        async with tenant_tx(svc.pool, tenant) as conn:
            await conn.execute(
                "INSERT INTO tenants (tenant_id, name) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (tenant, tenant),
            )
            await conn.execute(
                "INSERT INTO agents (id, tenant_id, name, persona_ref) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (agent, tenant, agent, f"agents/{agent}/SOUL.md"),
            )
    async with (
        http_server(svc, "social") as social,
        http_server(svc, "wallet") as wallet,
        http_server(svc, "openclaw") as openclaw,
    ):
        yield {"social": social, "wallet": wallet, "openclaw": openclaw}


async def _as(urls: dict[str, str], token: str | None) -> McpHost:
    return await client(urls, token, ALLOW).start()


async def test_a_request_without_a_token_or_with_a_wrong_one_is_refused(
    urls: dict[str, str],
) -> None:
    """specs/security.md §1.1"""
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    async with httpx.AsyncClient() as http:
        bare = await http.post(urls["social"], json=init)
        wrong = await http.post(
            urls["social"], json=init, headers={"Authorization": "Bearer not-a-real-token-at-all"}
        )
    assert bare.status_code == 401 and wrong.status_code == 401
    assert "Bearer" in wrong.headers["www-authenticate"]
    for token in (None, "not-a-real-token-at-all"):
        with pytest.raises(ServerUnavailable):
            await _as(urls, token)


async def test_another_tenants_token_cannot_publish_or_read_as_that_tenant(
    svc: Services, urls: dict[str, str]
) -> None:
    """specs/security.md §1.2"""
    host = await _as(urls, TOKENS["tenant-xyz"])
    try:
        key = new_key()
        claim_abc = post_payload(key, tenant_id=ABC, agent_id=LAGOS)
        with pytest.raises(ToolForbidden):
            await host.call_tool("social", "post_content", claim_abc, who=WHO_ABC)
        with pytest.raises(ToolForbidden):
            await host.call_tool("social", "post_content", claim_abc, who=WHO_XYZ)
        abcs_agent = post_payload(new_key(), agent_id=LAGOS)
        with pytest.raises(ToolNotFound):
            await host.call_tool("social", "post_content", abcs_agent, who=WHO_XYZ)
        with pytest.raises(Exception, match="does not act for that tenant"):
            await host.read_resource("social", "twitter://mentions/recent", who=WHO_ABC)
        # A tenant named in a resource URI is a claim like any other: the token decides.
        abcs_inbox = f"openclaw://{ABC}/{LAGOS}/inbox/signals"
        with pytest.raises(Exception, match="does not match the caller's tenant"):
            await host.read_resource("openclaw", abcs_inbox, who=WHO_XYZ)
        with pytest.raises(Exception, match="does not act for that tenant"):
            await host.read_resource("openclaw", abcs_inbox, who=WHO_ABC)
        own = await host.call_tool("social", "post_content", post_payload(new_key()), who=WHO_XYZ)
    finally:
        await host.aclose()
    async with tenant_tx(svc.pool, ABC) as conn:
        found = await conn.execute(
            "SELECT count(*) AS n FROM social_idempotency WHERE idempotency_key = %s", (key,)
        )
        row = await found.fetchone()
    assert row is not None and row["n"] == 0
    assert (await rows_for(svc, XYZ, own["post_id"]))[0]["agent_id"] == ETHIOPIA


async def test_the_host_token_acts_for_its_tenants_runs(
    svc: Services, urls: dict[str, str]
) -> None:
    """specs/security.md §1.2"""
    host = await _as(urls, TOKENS["host"])
    try:
        payload = post_payload(new_key(), tenant_id=ABC, agent_id=LAGOS)
        posted = await host.call_tool("social", "post_content", payload, who=WHO_ABC)
    finally:
        await host.aclose()
    assert (await rows_for(svc, ABC, posted["post_id"]))[0]["agent_id"] == LAGOS


async def _wallet_of(host: McpHost, who: Any) -> dict[str, Any]:
    args = {"tenant_id": who.tenant_id, "agent_id": who.agent_id}
    return dict(await host.call_tool("wallet", "create_wallet", args, who=who))


async def test_operator_tools_need_the_operator_token(urls: dict[str, str]) -> None:
    """specs/security.md §1.3"""
    args = {"tenant_id": XYZ, "agent_id": ETHIOPIA}
    for name in ("tenant-xyz", "host"):
        host = await _as(urls, TOKENS[name])
        try:
            await _wallet_of(host, WHO_XYZ)
            with pytest.raises(ToolForbidden, match="operator token"):
                await host.call_tool("wallet", "fund_wallet", args, who=WHO_XYZ)
            with pytest.raises(ToolForbidden, match="operator token"):
                await host.call_tool("wallet", "list_transactions", {"tenant_id": XYZ}, who=WHO_XYZ)
        finally:
            await host.aclose()
    operator = await _as(urls, TOKENS["operator"])
    try:
        funded = await operator.call_tool("wallet", "fund_wallet", args, who=WHO_XYZ)
    finally:
        await operator.aclose()
    assert funded["funded"]["USDC"]


async def test_caller_chosen_caps_never_create_or_raise_a_budget(urls: dict[str, str]) -> None:
    """specs/security.md §1.4"""
    operator = await _as(urls, TOKENS["operator"])
    tenant = await _as(urls, TOKENS["tenant-xyz"])
    try:
        wallet = await _wallet_of(operator, WHO_XYZ)
        fund = {"tenant_id": XYZ, "agent_id": ETHIOPIA}
        await operator.call_tool("wallet", "fund_wallet", fund, who=WHO_XYZ)
        generous = ("1000000.00", "1000000.00", "1000000.00")
        fresh = send_args(WHO_XYZ, wallet["wallet_id"], campaign(), amount="7.00", caps=generous)
        refused = await tenant.call_tool("wallet", "send_transaction", fresh, who=WHO_XYZ)
        assert refused["status"] == "rejected" and "no budget" in refused["reason"]
        stored = campaign()
        seed = send_args(WHO_XYZ, wallet["wallet_id"], stored, amount="1.00", to=recipient())
        seeded = await operator.call_tool("wallet", "send_transaction", seed, who=WHO_XYZ)
        assert seeded["status"] == "executed"
        over = send_args(WHO_XYZ, wallet["wallet_id"], stored, amount="60.00", caps=generous)
        capped = await tenant.call_tool("wallet", "send_transaction", over, who=WHO_XYZ)
        assert capped["status"] == "rejected" and "max_per_tx" in capped["reason"]
    finally:
        await tenant.aclose()
        await operator.aclose()
