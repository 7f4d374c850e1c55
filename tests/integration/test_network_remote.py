"""The remote router client against a replay of its wire format (specs/network.md §6)."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from chimera.control import network
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from servers.openclaw.bridge import Bridge
from servers.openclaw.models import Trend
from servers.openclaw.remote import RemoteRouter
from servers.openclaw.router import RateLimited, Refused
from tests.support.clawreplay import ClawReplay
from tests.support.network import NOW, WALLET, available, peers, proposal, set_sharing

TREND = Trend.model_validate(
    {"id": "trend-987", "topic": "ethiopian-summer-streetwear", "confidence": 0.9,
     "regions": ["ethiopia"], "tags": ["fashion"], "summary": "RAW: @fan123 sold out",
     "source_resources": ["twitter://mentions/recent?post=1890001"]}
)  # fmt: skip


def _routers(replay: ClawReplay) -> tuple[RemoteRouter, RemoteRouter]:
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(replay.handle), base_url="http://router.test"
    )
    return (
        RemoteRouter(client, {"tenant-a": "cred-a"}),
        RemoteRouter(client, {"tenant-b": "cred-b"}),
    )


async def test_the_remote_router_client_speaks_the_wire_format_and_sends_no_raw_data() -> None:
    """specs/network.md §6, §3.1, §2.1"""
    replay = ClawReplay({"cred-a": "tenant-a", "cred-b": "tenant-b"})
    a, b = _routers(replay)
    await a.publish("tenant-a", "agent-a", available(["fashion"]), "network")
    entry = await b.publish("tenant-b", "agent-b", available(["tech"]), "network")
    assert entry["wallet_public_info"]["address_hash"].startswith("sha256:")
    assert {e["agent_id"] for e in await a.visible("tenant-a")} == {"agent-a", "agent-b"}
    sent = await a.share("tenant-a", "agent-a", TREND, ["agent-b"], NOW + timedelta(hours=2))
    assert sent["delivered"] == 1 and sent["withheld_fields"] == ["summary", "source_resources"]
    [got] = await b.signals("tenant-b", "agent-b")
    assert got["topic"] == TREND.topic
    offer = await a.propose("tenant-a", "agent-a", "agent-b", proposal())
    done = await b.respond("tenant-b", "agent-b", offer["proposal_id"], "accept", None, "fits")
    assert done["status"] == "accepted"
    wire = json.dumps(replay.bodies)
    for secret in ("fan123", "1890001", "trend-987", WALLET[2:]):
        assert secret not in wire


async def test_remote_refusals_map_to_typed_errors() -> None:
    """specs/network.md §6"""
    replay = ClawReplay({"cred-a": "tenant-a"}, rate=2)
    a, b = _routers(replay)
    await a.publish("tenant-a", "agent-a", available(["fashion"]), "network")
    for _ in range(2):
        await a.share("tenant-a", "agent-a", TREND, None, NOW + timedelta(hours=1))
    with pytest.raises(RateLimited, match="retry_at=2026-02-06T10:01:00Z"):
        await a.share("tenant-a", "agent-a", TREND, None, NOW + timedelta(hours=1))
    with pytest.raises(Refused, match="unknown credential"):
        await b.visible("tenant-b")
    with pytest.raises(Refused, match="no network credential"):
        await a.visible("tenant-z")


async def test_local_policy_and_locks_apply_before_anything_reaches_a_remote_router(
    svc: Services,
) -> None:
    """specs/network.md §6, §2.2, §5.2"""
    net = peers(svc)
    replay = ClawReplay({"cred-a": net.a_tenant})
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(replay.handle), base_url="http://router.test"
    )
    bridge = Bridge(net.router, net.collab, RemoteRouter(client, {net.a_tenant: "cred-a"}))
    await set_sharing(svc, net.a_tenant, "none")
    assert await bridge.publish(net.a_tenant, net.a_agent, available(["fashion"]), NOW) is None
    with pytest.raises(Refused, match="shares nothing"):
        await bridge.share(net.a_tenant, net.a_agent, TREND, None, NOW + timedelta(hours=1), NOW)
    await set_sharing(svc, net.a_tenant, "network")
    async with tenant_tx(svc.pool, net.a_tenant) as conn:
        await network.lock(conn, net.a_tenant, net.a_agent, "ops@a", "legal hold")
    with pytest.raises(Refused, match="legal hold"):
        await bridge.propose(net.a_tenant, net.a_agent, "agent-b", proposal(), NOW)
    assert replay.bodies == [], "nothing reached the remote router"
    published = await bridge.publish(net.a_tenant, net.a_agent, available(["fashion"]), NOW)
    assert published is not None and published["sharing"] == "network"
    assert (await bridge.own(net.a_tenant, net.a_agent))["agent_id"] == net.a_agent
