"""Helpers of the governance tests: campaigns created with a policy, audit events by name."""

from __future__ import annotations

from typing import Any

from chimera.control import audit, occ, repo
from chimera.control.policy import PolicyOverrides
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from state.inputs import RunRequest
from tests.conftest import ETHIOPIA

TENANT = "tenant-xyz"


async def campaign_with_policy(svc: Services, goal: str, **policy: Any) -> str:
    """Create the run's campaign up front with policy overrides (version 2)."""
    campaign_id = RunRequest(tenant_id=TENANT, agent_id=ETHIOPIA, goal=goal).campaign
    async with tenant_tx(svc.pool, TENANT) as conn:
        await repo.ensure_campaign(conn, TENANT, ETHIOPIA, campaign_id, goal)
        await occ.update_campaign(
            conn,
            campaign_id,
            goal=None,
            overrides=PolicyOverrides(**policy),
            expected_version=None,
            user_id=None,
        )
    return campaign_id


async def events(svc: Services, campaign_id: str, event: str) -> list[dict[str, Any]]:
    async with tenant_tx(svc.pool, TENANT) as conn:
        rows = await audit.campaign_events(conn, campaign_id)
    return [r for r in rows if r["event"] == event]


async def expire_now(svc: Services, tenant_id: str, review_id: str) -> None:
    """Move a pending review's expiry into the past (as if its TTL ran out)."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        await conn.execute(
            "UPDATE reviews SET expires_at = now() - interval '1 minute' WHERE review_id = %s",
            (review_id,),
        )
