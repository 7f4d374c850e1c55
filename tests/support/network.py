"""Two tenants on the embedded OpenClaw router, unique per test (specs/network.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chimera.control import network
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from servers.openclaw.collab import Collaborations
from servers.openclaw.models import Availability, Proposal
from servers.openclaw.router import EmbeddedRouter

NOW = datetime(2026, 2, 6, 10, 0, tzinfo=UTC)
WALLET = "0x1234567890abcdef1234567890abcdef12345678"


@dataclass
class Peers:
    """Two tenants with one agent each, and the router between them."""

    router: EmbeddedRouter
    collab: Collaborations
    a_tenant: str
    a_agent: str
    b_tenant: str
    b_agent: str


def peers(svc: Services, **settings: Any) -> Peers:
    """Fresh tenant and agent ids (the directory is shared by the whole deployment)."""
    tag = uuid.uuid4().hex[:8]
    router = EmbeddedRouter(svc.pool, svc.settings.model_copy(update=settings))
    return Peers(
        router, Collaborations(router), f"tenant-a-{tag}", f"agent-a-{tag}", f"tenant-b-{tag}",
        f"agent-b-{tag}",
    )  # fmt: skip


async def set_sharing(svc: Services, tenant: str, sharing: network.Sharing) -> None:
    """Set a tenant's network policy as an operator would."""
    async with tenant_tx(svc.pool, tenant) as conn:
        await network.set_policy(conn, tenant, sharing, "always")


def available(niche: list[str], load: float = 0.2) -> Availability:
    """An online availability with a wallet."""
    return Availability.model_validate(
        {
            "status": "online",
            "niche": niche,
            "capabilities": ["short-form-video"],
            "current_load": load,
            "wallet": {"network": "base", "address": WALLET, "can_receive_tips": True},
        }
    )


def proposal(idea: str = "Cross-region fashion collab: Ethiopia x Lagos.") -> Proposal:
    """A CONTRACTS §8 proposal."""
    return Proposal.model_validate(
        {
            "campaign_idea": idea,
            "content_types": ["short-video", "duet"],
            "tentative_timeline": "2026-03",
            "value_exchange": {"revenue_split": "50-50", "on_chain_tracking": True},
        }
    )
