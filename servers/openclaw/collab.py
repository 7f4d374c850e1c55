"""Collaboration proposals between agents: propose, answer (accept, reject, modify), list.

A proposal is stored twice, a 'received' row in the recipient's tenant and a 'sent' row in the
sender's, each written in its own tenant's transaction; answers update both. An operator lock on
either agent refuses the exchange, and every refusal says why.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg.types.json import Jsonb

from chimera.platform.db import tenant_tx
from servers.openclaw import policy
from servers.openclaw.models import Decision, Proposal
from servers.openclaw.router import EmbeddedRouter, Refused
from servers.runtime import InvalidArgument, NotFound

PROPOSAL_TTL = timedelta(days=7)
ACCEPTED_BONUS = 0.05
REJECTED_PENALTY = 0.02
_STATUS = {"accept": "accepted", "reject": "rejected", "modify": "modified"}
_COLUMNS = (
    "proposal_id, side, agent_id, peer_tenant, peer_agent_id, proposal, status, counter_terms,"
    " reason, created_at, expires_at, responded_at"
)


def _z(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _view(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in ("created_at", "expires_at", "responded_at"):
        out[key] = _z(row[key])
    return out


@dataclass
class Collaborations:
    """Proposal exchange on top of the embedded router's reachability and admission."""

    router: EmbeddedRouter

    async def _unlocked(self, tenant_id: str, agent_id: str) -> None:
        reason = await policy.lock_of(self.router.pool, tenant_id, agent_id)
        if reason is not None:
            raise Refused(f"collaborations of {agent_id} are locked by an operator: {reason}")

    async def propose(
        self, tenant_id: str, agent_id: str, to_agent_id: str, proposal: Proposal, now: datetime
    ) -> dict[str, Any]:
        """Send a proposal to one reachable agent; both sides get a pending record."""
        await self._unlocked(tenant_id, agent_id)
        [(home, to_agent)] = await self.router.recipients(tenant_id, agent_id, [to_agent_id])
        await self._unlocked(home, to_agent)
        await self.router.admit(tenant_id, agent_id, "proposal", now)
        proposal_id = f"prop-{uuid.uuid4().hex[:20]}"
        body = Jsonb(proposal.model_dump())
        sides = (("received", home, to_agent, tenant_id, agent_id),
                 ("sent", tenant_id, agent_id, home, to_agent))  # fmt: skip
        for side, owner, me, peer_tenant, peer in sides:
            async with tenant_tx(self.router.pool, owner) as conn:
                await conn.execute(
                    "INSERT INTO openclaw_proposals (tenant_id, side, proposal_id, agent_id,"
                    " peer_tenant, peer_agent_id, proposal, status, created_at, expires_at)"
                    " VALUES (%s,%s,%s,%s,%s,%s,%s,'pending',%s,%s)",
                    (owner, side, proposal_id, me, peer_tenant, peer, body, now,
                     now + PROPOSAL_TTL),
                )  # fmt: skip
        return {"proposal_id": proposal_id, "to_agent_id": to_agent, "status": "pending"}

    async def respond(
        self,
        tenant_id: str,
        agent_id: str,
        proposal_id: str,
        decision: Decision,
        counter_terms: Proposal | None,
        reason: str,
        now: datetime,
    ) -> dict[str, Any]:
        """Answer a pending proposal received by this agent; both sides see the answer."""
        if (decision == "modify") != (counter_terms is not None):
            raise InvalidArgument("counter_terms are required to modify, and only to modify")
        await self._unlocked(tenant_id, agent_id)
        async with tenant_tx(self.router.pool, tenant_id) as conn:
            row = await (
                await conn.execute(
                    "SELECT peer_tenant, peer_agent_id, status, expires_at FROM openclaw_proposals"
                    " WHERE side = 'received' AND proposal_id = %s AND agent_id = %s",
                    (proposal_id, agent_id),
                )
            ).fetchone()
        if row is None:
            raise NotFound(f"no proposal {proposal_id} for {agent_id}")
        if row["status"] != "pending" or row["expires_at"] <= now:
            raise InvalidArgument(f"proposal {proposal_id} is {row['status']}, not pending")
        status = _STATUS[decision]
        terms = Jsonb(counter_terms.model_dump()) if counter_terms else None
        answer = "UPDATE openclaw_proposals SET status = %s, counter_terms = %s, reason = %s,"
        answer += " responded_at = %s WHERE side = %s AND proposal_id = %s AND status = 'pending'"
        async with tenant_tx(self.router.pool, tenant_id) as conn:
            cur = await conn.execute(answer, (status, terms, reason, now, "received", proposal_id))
        if cur.rowcount == 0:  # a concurrent answer won the race
            raise InvalidArgument(f"proposal {proposal_id} was already answered, not pending")
        async with tenant_tx(self.router.pool, row["peer_tenant"]) as conn:
            await conn.execute(answer, (status, terms, reason, now, "sent", proposal_id))
            if decision != "modify":
                delta = ACCEPTED_BONUS if decision == "accept" else -REJECTED_PENALTY
                await policy.adjust(conn, row["peer_tenant"], row["peer_agent_id"], delta, now)
        return {"proposal_id": proposal_id, "status": status}

    async def listing(self, tenant_id: str, agent_id: str) -> list[dict[str, Any]]:
        """The agent's proposals, sent and received, newest first."""
        async with tenant_tx(self.router.pool, tenant_id) as conn:
            rows = await (
                await conn.execute(
                    f"SELECT {_COLUMNS} FROM openclaw_proposals WHERE agent_id = %s"
                    " ORDER BY created_at DESC LIMIT 200",
                    (agent_id,),
                )
            ).fetchall()
        out = [_view(r) for r in rows]
        for row in out:
            if row["side"] == "received":
                async with tenant_tx(self.router.pool, row["peer_tenant"]) as conn:
                    row["sender_reputation"] = await policy.reputation(conn, row["peer_agent_id"])
        return out
