# ruff: noqa: F811  (pytest fixtures imported from tests.support.xfixtures are re-bound as arguments)
"""New mentions wake the subscribers of their agent, and only theirs.

Proves specs/engagement.md §5.2 with real social servers (streamable HTTP with tenant tokens,
and stdio under a host that restarts it), real Postgres LISTEN/NOTIFY and the Chimera host as
the MCP client.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from chimera.mcp.errors import InvalidToolArguments, ToolForbidden, ToolNotFound
from chimera.mcp.host import CallIdentity, McpHost, server_connections
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from servers.social import server as social_server
from servers.social.xbackend import XBackend
from tests.conftest import ETHIOPIA, LAGOS
from tests.support.http_servers import TOKENS, client, http_server
from tests.support.mcp import ABC, WHO_ABC, WHO_XYZ, XYZ
from tests.support.waiting import eventually
from tests.support.xfixtures import make_x, replay, tenant  # noqa: F401
from tests.support.xreplay import XReplay, mention

MENTIONS = "twitter://mentions/recent"
OPERATOR = {"social": frozenset({"receive_mention"})}
OPERATOR_WHO = CallIdentity(XYZ, ETHIOPIA, "operator")


class Woken:
    """A subscription callback counting its wake-ups."""

    def __init__(self) -> None:
        self.times = 0

    def __call__(self) -> None:
        self.times += 1


def arrival(agent_id: str, tenant_id: str, text: str = "Love the summer drop!") -> dict[str, Any]:
    """A `receive_mention` payload with an id no other test uses."""
    return {
        "tenant_id": tenant_id,
        "agent_id": agent_id,
        "mention_id": f"mention-sub-{uuid.uuid4().hex[:12]}",
        "author_handle": "@a.fan",
        "text": text,
    }


@pytest.fixture(scope="module")
async def social_url(svc: Services) -> AsyncIterator[str]:
    """The social server over streamable HTTP with the test token set."""
    async with http_server(svc, "social") as url:
        yield url


@pytest.fixture
async def hosts(social_url: str) -> AsyncIterator[dict[str, McpHost]]:
    """A host per tenant token, and an operator host allowed to call `receive_mention`."""
    urls = {"social": social_url}
    started = {
        XYZ: await client(urls, TOKENS[XYZ], {"social": frozenset()}).start(),
        ABC: await client(urls, TOKENS[ABC], {"social": frozenset()}).start(),
        "operator": await client(urls, TOKENS["operator"], OPERATOR).start(),
    }
    yield started
    for host in started.values():
        await host.aclose()


async def test_a_new_mention_wakes_its_agents_subscriber_and_not_another_tenants(
    hosts: dict[str, McpHost],
) -> None:
    """specs/engagement.md §5.2 (subscribing to mentions)"""
    xyz, abc = Woken(), Woken()
    await hosts[XYZ].subscribe("social", MENTIONS, who=WHO_XYZ, callback=xyz)
    await hosts[ABC].subscribe("social", MENTIONS, who=WHO_ABC, callback=abc)
    stored = await hosts["operator"].call_tool(
        "social", "receive_mention", arrival(ETHIOPIA, XYZ), who=OPERATOR_WHO
    )
    assert stored["stored"] is True
    await eventually(lambda: _at_least(xyz, 1), what="tenant-xyz's subscriber to be told")
    # One listener relays notifications in commit order: once tenant-abc hears of its own
    # agent's mention, any notice of tenant-xyz's would already have reached it.
    await hosts["operator"].call_tool(
        "social", "receive_mention", arrival(LAGOS, ABC), who=CallIdentity(ABC, LAGOS, "op")
    )
    await eventually(lambda: _at_least(abc, 1), what="tenant-abc's subscriber to be told")
    assert (xyz.times, abc.times) == (1, 1)


async def _at_least(woken: Woken, times: int) -> bool:
    return woken.times >= times


async def test_another_tenants_agent_cannot_be_subscribed_to(hosts: dict[str, McpHost]) -> None:
    """specs/engagement.md §5.2 (subscribing to mentions)"""
    with pytest.raises(ToolForbidden):
        await hosts[ABC].subscribe("social", MENTIONS, who=WHO_XYZ, callback=Woken())
    with pytest.raises(ToolNotFound):
        await hosts[ABC].subscribe(
            "social", MENTIONS, who=CallIdentity(ABC, ETHIOPIA), callback=Woken()
        )
    with pytest.raises(InvalidToolArguments):
        await hosts[XYZ].subscribe("social", "twitter://users/me", who=WHO_XYZ, callback=Woken())


async def test_only_an_operator_may_make_the_sandbox_receive_a_valid_mention(
    hosts: dict[str, McpHost],
) -> None:
    """specs/engagement.md §5.2 (the sandbox receives a mention)"""
    tenant_host = await client(
        {"social": str(hosts[XYZ].connections["social"]["url"])}, TOKENS[XYZ], OPERATOR
    ).start()
    try:
        with pytest.raises(ToolForbidden):
            await tenant_host.call_tool(
                "social", "receive_mention", arrival(ETHIOPIA, XYZ), who=WHO_XYZ
            )
    finally:
        await tenant_host.aclose()
    bad = {**arrival(ETHIOPIA, XYZ), "author_handle": "no at sign"}
    with pytest.raises(InvalidToolArguments):
        await hosts["operator"].call_tool("social", "receive_mention", bad, who=OPERATOR_WHO)
    again = arrival(ETHIOPIA, XYZ)
    for expected in (True, False):
        result = await hosts["operator"].call_tool(
            "social", "receive_mention", again, who=OPERATOR_WHO
        )
        assert result["stored"] is expected


async def _store(svc: Services, tenant_id: str, agent_id: str) -> None:
    """A mention stored by another writer than the server (as the X cache or a test would)."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        await conn.execute(
            "INSERT INTO social_mentions (mention_id, tenant_id, agent_id, platform,"
            " author_handle, text, created_at) VALUES (%s, %s, %s, 'twitter', '@w', 'hi', now())",
            (f"mention-sub-{uuid.uuid4().hex[:12]}", tenant_id, agent_id),
        )


@pytest.fixture
async def stdio_host(svc: Services) -> AsyncIterator[McpHost]:
    """A host of its own with the social server as its stdio child."""
    stdio = {"social": server_connections(svc.settings, svc.endpoints)["social"]}
    host = await McpHost(stdio, allow={"social": frozenset()}).start()
    yield host
    await host.aclose()


async def test_mentions_the_x_cache_fetches_wake_their_agents_subscriber(
    stdio_host: McpHost, make_x: Callable[..., XBackend], replay: XReplay
) -> None:
    """specs/engagement.md §5.2 (subscribing to mentions)"""
    lagos = Woken()
    await stdio_host.subscribe("social", MENTIONS, who=WHO_ABC, callback=lagos)
    newer = 10**9 + uuid.uuid4().int % 10**8  # newer than any mention an earlier test stored
    replay.mentions = [mention(newer, "is the meetup still on?")]
    rows = await make_x().recent_mentions(ABC, LAGOS)
    assert rows[0]["mention_id"] == replay.mentions[0]["id"]
    await eventually(lambda: _at_least(lagos, 1), 30, "the subscriber told of the X mention")


async def test_subscriptions_survive_a_server_restart_and_end_on_unsubscribe(
    svc: Services, stdio_host: McpHost
) -> None:
    """specs/engagement.md §5.2 (subscribing to mentions)"""
    xyz, abc = Woken(), Woken()
    await stdio_host.subscribe("social", MENTIONS, who=WHO_XYZ, callback=xyz)
    await stdio_host.subscribe("social", MENTIONS, who=WHO_ABC, callback=abc)
    await stdio_host.restart("social", None)  # a new server process: the host subscribes again
    await _store(svc, XYZ, ETHIOPIA)
    await eventually(lambda: _at_least(xyz, 1), 30, "a subscriber told after the restart")
    await stdio_host.unsubscribe("social", MENTIONS, who=WHO_ABC)
    await _store(svc, ABC, LAGOS)
    await _store(svc, XYZ, ETHIOPIA)
    await eventually(lambda: _at_least(xyz, 2), 30, "the remaining subscriber told again")
    assert abc.times == 0


def test_the_social_server_declares_resource_subscriptions() -> None:
    """specs/engagement.md §5.2 (subscribing to mentions)"""
    options = social_server.mcp._mcp_server.create_initialization_options()
    assert options.capabilities.resources is not None
    assert options.capabilities.resources.subscribe is True
