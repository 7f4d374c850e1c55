"""Economics test helpers: fresh registered agents, so per-agent totals start at zero."""

from __future__ import annotations

import uuid

from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.resources import Services


async def fresh_agent(svc: Services, tenant_id: str) -> CallIdentity:
    """A registered agent of `tenant_id` that no other test pays from or to."""
    agent_id = f"agent-econ-{uuid.uuid4().hex[:8]}"
    async with tenant_tx(svc.pool, tenant_id) as conn:
        await conn.execute(
            "INSERT INTO tenants (tenant_id, name) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (tenant_id, tenant_id),
        )
        await conn.execute(
            "INSERT INTO agents (id, tenant_id, name, persona_ref) VALUES (%s, %s, %s, %s)",
            (agent_id, tenant_id, agent_id, "agents/none/SOUL.md"),
        )
    return CallIdentity(tenant_id, agent_id, "run-economics")
