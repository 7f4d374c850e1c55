"""Answering collaboration proposals: the agent's judge first, a human when policy says so.

The judge reads the agent's received proposals through the bridge, scores each once
(`chimera.strategies.collab_judge`) and records the verdict. With the tenant's `collab_review`
at `never` the verdict is sent at once; otherwise (the default) it waits for a human's
`chimera network decide`. A locked agent's proposals are recorded as locked and never answered.
"""

from __future__ import annotations

import asyncio
from typing import Any

from chimera.control import network, repo
from chimera.control.personas import load_persona
from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.strategies.collab_judge import judge_proposal

INBOX = "openclaw://inbox/proposals"


def joint_campaign(proposal_id: str) -> str:
    """The campaign id both tenants give an accepted collaboration (same id, separate rows)."""
    return f"cmp-joint-{proposal_id.removeprefix('prop-')}"


async def link_accepted(svc: Services, who: CallIdentity, inbox: dict[str, Any]) -> list[str]:
    """Create this tenant's side of every accepted collaboration's joint campaign.

    Each tenant holds its own campaign row under the shared id; nothing of the other tenant's
    records is read or copied, only the agreed proposal's idea becomes the objective.
    """
    linked = []
    async with tenant_tx(svc.pool, who.tenant_id) as conn:
        for p in inbox["proposals"]:
            if p["status"] != "accepted":
                continue
            campaign_id = joint_campaign(p["proposal_id"])
            objective = (
                f"Joint campaign with {p['peer_agent_id']}: {p['proposal']['campaign_idea']}"
            )
            await repo.ensure_campaign(conn, who.tenant_id, who.agent_id, campaign_id, objective)
            linked.append(campaign_id)
    return linked


async def judge_inbox(svc: Services, agent_id: str) -> list[dict[str, Any]]:
    """Judge every new pending proposal the agent received; returns the verdicts recorded."""
    persona = await asyncio.to_thread(load_persona, svc.settings.agents_dir, agent_id)
    who = CallIdentity(persona.tenant_id, agent_id, "collab-judge")
    inbox = await svc.host.read_resource("openclaw", INBOX, who=who)
    async with tenant_tx(svc.pool, persona.tenant_id) as conn:
        done = await network.judged(conn, agent_id)
        rules = await network.policy(conn) or {"collab_review": "always"}
        locked = await network.lock_reason(conn, agent_id)
    verdicts = []
    for p in inbox["proposals"]:
        if p["side"] != "received" or p["status"] != "pending" or p["proposal_id"] in done:
            continue
        v = judge_proposal(p["proposal"], persona, p["sender_reputation"])
        verdict = {"proposal_id": p["proposal_id"], "verdict": v.verdict, "score": v.score,
                   "reasons": v.reasons, "status": "awaiting_human"}  # fmt: skip
        if locked is not None:
            verdict["status"] = "locked"
        elif rules["collab_review"] == "never":
            await answer(svc, who, p["proposal_id"], v.verdict, "; ".join(v.reasons))
            verdict |= {"status": "answered", "answered_by": "judge"}
        async with tenant_tx(svc.pool, persona.tenant_id) as conn:
            await network.record_verdict(
                conn, persona.tenant_id, agent_id, p["proposal_id"], verdict
            )
        verdicts.append(verdict)
    await link_accepted(svc, who, await svc.host.read_resource("openclaw", INBOX, who=who))
    return verdicts


async def answer(
    svc: Services,
    who: CallIdentity,
    proposal_id: str,
    decision: str,
    reason: str,
    counter_terms: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Answer through the bridge as the agent (the bridge enforces locks and tenancy)."""
    args: dict[str, Any] = {
        "tenant_id": who.tenant_id,
        "agent_id": who.agent_id,
        "proposal_id": proposal_id,
        "decision": decision,
        "reason": reason,
    }
    if counter_terms is not None:
        args["counter_terms"] = counter_terms
    result: dict[str, Any] = await svc.host.call_tool(
        "openclaw", "respond_to_collaboration", args, who=who
    )
    return result


async def decide(
    svc: Services, tenant_id: str, proposal_id: str, decision: str, by: str, reason: str
) -> dict[str, Any]:
    """A human's answer to a received proposal of the tenant (overrides the judge's verdict).

    Raises:
        LookupError: the tenant has no judged proposal with this id.

    """
    async with tenant_tx(svc.pool, tenant_id) as conn:
        verdict = await network.verdict_of(conn, proposal_id)
    if verdict is None:
        raise LookupError(f"no judged proposal {proposal_id} in tenant {tenant_id}")
    who = CallIdentity(tenant_id, verdict["agent_id"], f"operator:{by}")
    result = await answer(svc, who, proposal_id, decision, reason or f"decided by {by}")
    async with tenant_tx(svc.pool, tenant_id) as conn:
        await network.mark_answered(conn, proposal_id, by)
    await link_accepted(svc, who, await svc.host.read_resource("openclaw", INBOX, who=who))
    return result
