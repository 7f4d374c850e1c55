"""The recipient's judge, human review and operator locks on proposals (specs/network.md §5)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from chimera.control import network
from chimera.mcp.errors import McpCallError
from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs import collab
from servers.openclaw.models import ValueExchange
from tests.conftest import ETHIOPIA
from tests.support.mcp import WHO_XYZ, XYZ
from tests.support.network import proposal

FAIR = proposal("Ethiopian streetwear fashion collab for the summer drop.")
GREEDY = proposal("Quantum gadget benchmarks livestream.").model_copy(
    update={"value_exchange": ValueExchange(revenue_split="90-10", on_chain_tracking=False)}
)


async def _setup(svc: Services, review: network.Review) -> CallIdentity:
    sender = CallIdentity(f"tenant-c-{uuid.uuid4().hex[:8]}", f"agent-c-{uuid.uuid4().hex[:8]}")
    for tenant, rule in ((XYZ, review), (sender.tenant_id, "always")):
        async with tenant_tx(svc.pool, tenant) as conn:
            await network.set_policy(conn, tenant, "network", rule)  # type: ignore[arg-type]
    for who in (WHO_XYZ, sender):
        body = {"status": "online", "current_load": 0.1}
        args = {"tenant_id": who.tenant_id, "agent_id": who.agent_id, "availability": body}
        await svc.host.call_tool("openclaw", "publish_availability", args, who=who)
    return sender


async def _propose(svc: Services, sender: CallIdentity, body: Any) -> str:
    args = {"from_agent_id": sender.agent_id, "to_agent_id": ETHIOPIA,
            "tenant_id": sender.tenant_id, "proposal": body.model_dump()}  # fmt: skip
    sent = await svc.host.call_tool("openclaw", "propose_collaboration", args, who=sender)
    return str(sent["proposal_id"])


async def _status(svc: Services, who: CallIdentity, proposal_id: str) -> str:
    inbox = await svc.host.read_resource("openclaw", collab.INBOX, who=who)
    [row] = [p for p in inbox["proposals"] if p["proposal_id"] == proposal_id]
    return str(row["status"])


async def test_the_judge_answers_alone_when_policy_needs_no_human(svc: Services) -> None:
    """specs/network.md §5.3, §5.5"""
    sender = await _setup(svc, "never")
    fair, greedy = await _propose(svc, sender, FAIR), await _propose(svc, sender, GREEDY)
    verdicts = {v["proposal_id"]: v for v in await collab.judge_inbox(svc, ETHIOPIA)}
    assert verdicts[fair]["verdict"] == "accept" and verdicts[fair]["status"] == "answered"
    assert verdicts[greedy]["verdict"] == "reject"
    assert await _status(svc, sender, fair) == "accepted"
    assert await _status(svc, sender, greedy) == "rejected"
    assert await collab.judge_inbox(svc, ETHIOPIA) == [], "each proposal is judged once"
    joint = collab.joint_campaign(fair)
    async with tenant_tx(svc.pool, XYZ) as conn:
        row = await (
            await conn.execute("SELECT * FROM campaigns WHERE id = %s", (joint,))
        ).fetchone()
    assert row is not None and row["agent_id"] == ETHIOPIA and "Joint campaign" in row["objective"]
    async with tenant_tx(svc.pool, sender.tenant_id) as conn:
        other = await (
            await conn.execute("SELECT 1 FROM campaigns WHERE id = %s", (joint,))
        ).fetchone()
    assert other is None, "the other tenant never sees this tenant's campaign row"
    async with tenant_tx(svc.pool, XYZ) as conn:
        rejected = collab.joint_campaign(greedy)
        none = await (
            await conn.execute("SELECT 1 FROM campaigns WHERE id = %s", (rejected,))
        ).fetchone()
    assert none is None, "a rejected proposal has no joint campaign"


async def test_a_human_decides_when_policy_says_so_and_can_override_the_judge(
    svc: Services,
) -> None:
    """specs/network.md §5.3, §5.4"""
    sender = await _setup(svc, "always")
    fair = await _propose(svc, sender, FAIR)
    [verdict] = [v for v in await collab.judge_inbox(svc, ETHIOPIA) if v["proposal_id"] == fair]
    assert verdict["verdict"] == "accept" and verdict["status"] == "awaiting_human"
    assert await _status(svc, sender, fair) == "pending"
    done = await collab.decide(svc, XYZ, fair, "reject", "ops@xyz", "not this quarter")
    assert done["status"] == "rejected" and await _status(svc, sender, fair) == "rejected"
    with pytest.raises(LookupError):
        await collab.decide(svc, sender.tenant_id, fair, "accept", "ops@c", "")


async def test_an_operator_lock_holds_the_judge_and_refuses_a_human_answer(
    svc: Services,
) -> None:
    """specs/network.md §5.2, §5.4"""
    sender = await _setup(svc, "never")
    fair = await _propose(svc, sender, FAIR)
    async with tenant_tx(svc.pool, XYZ) as conn:
        await network.lock(conn, XYZ, ETHIOPIA, "ops@xyz", "contract renegotiation")
    try:
        [verdict] = [v for v in await collab.judge_inbox(svc, ETHIOPIA) if v["proposal_id"] == fair]
        assert verdict["status"] == "locked" and await _status(svc, sender, fair) == "pending"
        with pytest.raises(McpCallError, match="contract renegotiation"):
            await collab.decide(svc, XYZ, fair, "accept", "ops@xyz", "")
        with pytest.raises(McpCallError, match="locked"):
            await _propose(svc, sender, FAIR)
    finally:
        async with tenant_tx(svc.pool, XYZ) as conn:
            await network.unlock(conn, ETHIOPIA)
    async with tenant_tx(svc.pool, XYZ) as conn:
        [row] = [r for r in await network.proposals(conn, ETHIOPIA) if r["proposal_id"] == fair]
    assert row["review"] == "locked" and row["status"] == "pending"
