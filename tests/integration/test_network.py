"""The embedded OpenClaw router between two tenants (specs/network.md)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chimera.control import network
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from servers.openclaw.models import Trend
from servers.openclaw.router import RateLimited, Refused
from tests.support.network import NOW, WALLET, available, peers, proposal, set_sharing

TREND = Trend.model_validate(
    {
        "id": "trend-987",
        "topic": "ethiopian-summer-streetwear",
        "confidence": 0.9,
        "regions": ["ethiopia"],
        "tags": ["fashion", "streetwear"],
        "source_resources": ["twitter://mentions/recent?post=1890001"],
        "summary": "RAW: @fan123 wrote 'the Addis drop sold out in an hour'",
    }
)


@pytest.mark.parametrize(
    ("a", "b", "a_sees_b", "b_sees_a"),
    [
        ("network", "network", True, True),
        ("network", "tenant", False, False),
        ("none", "network", False, False),
        ("tenant", "tenant", False, False),
    ],
)
async def test_agents_of_two_tenants_see_each_others_availability_only_as_policies_allow(
    svc: Services, a: network.Sharing, b: network.Sharing, a_sees_b: bool, b_sees_a: bool
) -> None:
    """specs/network.md §2.1, §2.2"""
    net = peers(svc)
    await set_sharing(svc, net.a_tenant, a)
    await set_sharing(svc, net.b_tenant, b)
    await net.router.publish(net.a_tenant, net.a_agent, available(["fashion"]), NOW)
    await net.router.publish(net.b_tenant, net.b_agent, available(["tech"]), NOW)
    seen_by_a = {e["agent_id"] for e in await net.router.visible(net.a_tenant)}
    seen_by_b = {e["agent_id"] for e in await net.router.visible(net.b_tenant)}
    assert (net.b_agent in seen_by_a) is a_sees_b
    assert (net.a_agent in seen_by_b) is b_sees_a
    assert (net.a_agent in seen_by_a) is (a != "none"), "an agent sees its own tenant unless none"


async def test_availability_carries_only_a_hashed_wallet_address_and_a_tip_flag(
    svc: Services,
) -> None:
    """specs/network.md §2.1"""
    net = peers(svc)
    await set_sharing(svc, net.a_tenant, "network")
    entry = await net.router.publish(net.a_tenant, net.a_agent, available(["fashion"], 0.65), NOW)
    assert entry is not None
    assert set(entry) == {
        "agent_id", "tenant_id", "status", "niche", "capabilities", "current_load",
        "preferred_collaborations", "wallet_public_info", "updated_at",
    }  # fmt: skip
    wallet = entry["wallet_public_info"]
    assert set(wallet) == {"network", "address_hash", "can_receive_tips"}
    assert WALLET.lower()[2:] not in json.dumps(entry).lower()
    assert entry["updated_at"] == "2026-02-06T10:00:00Z" and entry["current_load"] == 0.65


async def test_a_shared_signal_reaches_only_reachable_agents_and_carries_no_raw_data(
    svc: Services,
) -> None:
    """specs/network.md §3.1, §3.2"""
    net = peers(svc)
    for tenant in (net.a_tenant, net.b_tenant):
        await set_sharing(svc, tenant, "network")
    await net.router.publish(net.b_tenant, net.b_agent, available(["fashion"]), NOW)
    sent = await net.router.share(
        net.a_tenant, net.a_agent, TREND, [net.b_agent], NOW + timedelta(hours=8), NOW
    )
    assert sent["delivered"] == 1 and sent["withheld_fields"] == ["summary", "source_resources"]
    [got] = await net.router.signals(net.b_tenant, net.b_agent, NOW)
    assert got["topic"] == "ethiopian-summer-streetwear" and got["regions"] == ["ethiopia"]
    async with tenant_tx(svc.pool, net.b_tenant) as conn:
        rows = await (await conn.execute("SELECT * FROM openclaw_signals")).fetchall()
    raw = json.dumps([dict(r) for r in rows], default=str)
    for secret in ("fan123", "Addis drop", "1890001", "trend-987", "mentions"):
        assert secret not in raw
    assert await net.router.signals(net.b_tenant, net.b_agent, NOW + timedelta(hours=9)) == []
    await set_sharing(svc, net.b_tenant, "tenant")
    with pytest.raises(Exception, match="no reachable agent"):
        await net.router.share(
            net.a_tenant, net.a_agent, TREND, [net.b_agent], NOW + timedelta(hours=1), NOW
        )


async def test_a_flood_of_1000_signals_is_rate_limited_and_sinks_the_senders_reputation(
    svc: Services,
) -> None:
    """specs/network.md §4.1, §4.2"""
    net = peers(svc, openclaw_rate_per_minute=30)
    for tenant in (net.a_tenant, net.b_tenant):
        await set_sharing(svc, tenant, "network")
    await net.router.publish(net.b_tenant, net.b_agent, available(["fashion"]), NOW)
    refused = 0
    for n in range(1000):
        trend = TREND.model_copy(update={"id": f"flood-{n}"})
        try:
            await net.router.share(
                net.a_tenant, net.a_agent, trend, [net.b_agent], NOW + timedelta(hours=1), NOW
            )
        except RateLimited as exc:
            refused += 1
            assert "retry_at=2026-02-06T10:01:00Z" in str(exc)
    assert refused == 970
    assert len(await net.router.signals(net.b_tenant, net.b_agent, NOW)) == 30
    later = NOW + timedelta(minutes=5)
    after = await net.router.share(
        net.a_tenant, net.a_agent, TREND.model_copy(update={"id": "after"}), [net.b_agent],
        later + timedelta(hours=1), later,
    )  # fmt: skip
    assert after["delivered"] == 0 and after["ignored"] == 1, "a sunk sender is ignored"
    assert len(await net.router.signals(net.b_tenant, net.b_agent, later)) == 30


async def test_a_proposal_can_be_accepted_rejected_and_modified_and_both_sides_see_it(
    svc: Services,
) -> None:
    """specs/network.md §5.1"""
    net = peers(svc)
    for tenant in (net.a_tenant, net.b_tenant):
        await set_sharing(svc, tenant, "network")
    await net.router.publish(net.b_tenant, net.b_agent, available(["tech"]), NOW)
    ids = [
        (await net.collab.propose(net.a_tenant, net.a_agent, net.b_agent, proposal(), NOW))[
            "proposal_id"
        ]
        for _ in range(3)
    ]
    counter = proposal("Counter: Lagos leads, 60-40.")
    await net.collab.respond(net.b_tenant, net.b_agent, ids[0], "accept", None, "fits", NOW)
    await net.collab.respond(net.b_tenant, net.b_agent, ids[1], "reject", None, "no", NOW)
    await net.collab.respond(net.b_tenant, net.b_agent, ids[2], "modify", counter, "", NOW)
    sent = {p["proposal_id"]: p for p in await net.collab.listing(net.a_tenant, net.a_agent)}
    assert [sent[i]["status"] for i in ids] == ["accepted", "rejected", "modified"]
    assert sent[ids[2]]["counter_terms"]["campaign_idea"] == "Counter: Lagos leads, 60-40."
    assert all(p["side"] == "sent" for p in sent.values())
    with pytest.raises(Exception, match="not pending"):
        await net.collab.respond(net.b_tenant, net.b_agent, ids[0], "reject", None, "", NOW)
    with pytest.raises(Exception, match="no proposal"):
        await net.collab.respond(net.a_tenant, net.a_agent, ids[1], "accept", None, "", NOW)
    with pytest.raises(Exception, match="counter_terms"):
        await net.collab.respond(net.b_tenant, net.b_agent, ids[2], "modify", None, "", NOW)


async def test_an_operator_lock_blocks_proposals_until_it_is_lifted(svc: Services) -> None:
    """specs/network.md §5.2"""
    net = peers(svc)
    for tenant in (net.a_tenant, net.b_tenant):
        await set_sharing(svc, tenant, "network")
    await net.router.publish(net.b_tenant, net.b_agent, available(["tech"]), NOW)
    pending = await net.collab.propose(net.a_tenant, net.a_agent, net.b_agent, proposal(), NOW)
    async with tenant_tx(svc.pool, net.b_tenant) as conn:
        await network.lock(conn, net.b_tenant, net.b_agent, "ops@b", "brand review")
    with pytest.raises(Refused, match="locked by an operator: brand review"):
        await net.collab.propose(net.a_tenant, net.a_agent, net.b_agent, proposal(), NOW)
    with pytest.raises(Refused, match="locked"):
        await net.collab.respond(
            net.b_tenant, net.b_agent, pending["proposal_id"], "accept", None, "", NOW
        )
    async with tenant_tx(svc.pool, net.a_tenant) as conn:
        assert not await network.unlock(conn, net.b_agent), "another tenant's lock is invisible"
    async with tenant_tx(svc.pool, net.b_tenant) as conn:
        assert await network.unlock(conn, net.b_agent)
    done = await net.collab.respond(
        net.b_tenant, net.b_agent, pending["proposal_id"], "accept", None, "", NOW
    )
    assert done["status"] == "accepted"


async def test_the_daily_quota_holds_across_minutes(svc: Services) -> None:
    """specs/network.md §4.1"""
    net = peers(svc, openclaw_rate_per_minute=100, openclaw_daily_quota=5)
    for tenant in (net.a_tenant, net.b_tenant):
        await set_sharing(svc, tenant, "network")
    await net.router.publish(net.b_tenant, net.b_agent, available(["fashion"]), NOW)
    for n in range(5):
        at = NOW + timedelta(minutes=10 * n)
        trend = TREND.model_copy(update={"id": f"quota-{n}"})
        await net.router.share(
            net.a_tenant, net.a_agent, trend, [net.b_agent], at + timedelta(hours=1), at
        )
    late = NOW + timedelta(hours=3)
    with pytest.raises(RateLimited, match="retry_at=2026-02-07T10:00:00Z"):
        await net.router.share(
            net.a_tenant, net.a_agent, TREND, [net.b_agent], late + timedelta(hours=1), late
        )
    next_day = NOW + timedelta(days=1, minutes=1)
    sent = await net.router.share(
        net.a_tenant, net.a_agent, TREND, [net.b_agent], next_day + timedelta(hours=1), next_day
    )
    assert sent["delivered"] == 1
