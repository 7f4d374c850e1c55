"""Which router the bridge talks to: the embedded one, or a remote one over HTTP.

Tenant policy and operator locks are this deployment's, so they are applied here before anything
reaches a remote router; the embedded router applies them itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from servers.openclaw import policy
from servers.openclaw.collab import Collaborations
from servers.openclaw.models import Availability, Decision, Proposal, Trend
from servers.openclaw.remote import RemoteRouter
from servers.openclaw.router import EmbeddedRouter, Refused
from servers.runtime import NotFound


@dataclass
class Bridge:
    """The bridge's operations, on the embedded router or (when set) a remote one."""

    router: EmbeddedRouter
    collab: Collaborations
    remote: RemoteRouter | None = None

    async def _shares(self, tenant_id: str) -> str:
        sharing = await self.router.sharing(tenant_id)
        if sharing == "none":
            raise Refused(f"the policy of {tenant_id} shares nothing")
        return sharing

    async def _unlocked(self, tenant_id: str, agent_id: str) -> None:
        reason = await policy.lock_of(self.router.pool, tenant_id, agent_id)
        if reason is not None:
            raise Refused(f"collaborations of {agent_id} are locked by an operator: {reason}")

    async def publish(
        self, tenant_id: str, agent_id: str, avail: Availability, now: datetime
    ) -> dict[str, Any] | None:
        """Publish availability (None: the tenant's policy shares nothing)."""
        if self.remote is None:
            return await self.router.publish(tenant_id, agent_id, avail, now)
        sharing = await self.router.sharing(tenant_id)
        if sharing == "none":
            return None
        return await self.remote.publish(tenant_id, agent_id, avail, sharing)

    async def own(self, tenant_id: str, agent_id: str) -> dict[str, Any]:
        """The agent's own availability."""
        if self.remote is None:
            return await self.router.own(tenant_id, agent_id)
        for entry in await self.remote.visible(tenant_id):
            if entry["agent_id"] == agent_id and entry["tenant_id"] == tenant_id:
                return entry
        raise NotFound(f"{agent_id} has published no availability")

    async def visible(self, tenant_id: str) -> list[dict[str, Any]]:
        """Agents this tenant may see."""
        if self.remote is None:
            return await self.router.visible(tenant_id)
        await self._shares(tenant_id)
        return await self.remote.visible(tenant_id)

    async def share(self, tenant_id: str, agent_id: str, trend: Trend, to: list[str] | None,
                    expires_at: datetime, now: datetime) -> dict[str, Any]:  # fmt: skip
        """Share a trend signal's high-level fields."""
        if self.remote is None:
            return await self.router.share(tenant_id, agent_id, trend, to, expires_at, now)
        await self._shares(tenant_id)
        return await self.remote.share(tenant_id, agent_id, trend, to, expires_at)

    async def signals(self, tenant_id: str, agent_id: str, now: datetime) -> list[dict[str, Any]]:
        """The agent's received signals."""
        if self.remote is None:
            return await self.router.signals(tenant_id, agent_id, now)
        return await self.remote.signals(tenant_id, agent_id)

    async def propose(self, tenant_id: str, agent_id: str, to_agent_id: str, proposal: Proposal,
                      now: datetime) -> dict[str, Any]:  # fmt: skip
        """Propose a collaboration."""
        if self.remote is None:
            return await self.collab.propose(tenant_id, agent_id, to_agent_id, proposal, now)
        await self._shares(tenant_id)
        await self._unlocked(tenant_id, agent_id)
        return await self.remote.propose(tenant_id, agent_id, to_agent_id, proposal)

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
        """Answer a received proposal."""
        if self.remote is None:
            return await self.collab.respond(
                tenant_id, agent_id, proposal_id, decision, counter_terms, reason, now
            )
        await self._unlocked(tenant_id, agent_id)
        return await self.remote.respond(
            tenant_id, agent_id, proposal_id, decision, counter_terms, reason
        )

    async def listing(self, tenant_id: str, agent_id: str) -> list[dict[str, Any]]:
        """The agent's proposals, sent and received."""
        if self.remote is None:
            return await self.collab.listing(tenant_id, agent_id)
        return await self.remote.proposals(tenant_id, agent_id)
