"""Tenant network policy, operator locks and sender reputation, as the router reads them.

The policy and lock tables are control-plane tables (`chimera network ...` writes them); the
bridge only reads them, each in the owning tenant's transaction, so row-level security holds.
"""

from __future__ import annotations

from datetime import datetime

from chimera.platform.db import Conn, Pool, tenant_tx

DEFAULT_REPUTATION = 0.6
REFUSAL_PENALTY = 0.005
"""Reputation lost per send refused by a rate limit or quota: a flood sinks its sender."""


async def sharing_of(pool: Pool, tenant_id: str, default: str) -> str:
    """What may leave the tenant: `none`, `tenant` (same tenant only) or `network`."""
    async with tenant_tx(pool, tenant_id) as conn:
        row = await (await conn.execute("SELECT sharing FROM network_policies")).fetchone()
    return str(row["sharing"]) if row else default


def reachable(a_tenant: str, a_sharing: str, b_tenant: str, b_sharing: str) -> bool:
    """Whether two agents may exchange anything: both policies must allow the distance."""
    if "none" in (a_sharing, b_sharing):
        return False
    return a_tenant == b_tenant or a_sharing == b_sharing == "network"


async def lock_of(pool: Pool, tenant_id: str, agent_id: str) -> str | None:
    """The operator's lock reason on an agent's collaborations, if it is locked."""
    async with tenant_tx(pool, tenant_id) as conn:
        row = await (
            await conn.execute("SELECT reason FROM network_locks WHERE agent_id = %s", (agent_id,))
        ).fetchone()
    return str(row["reason"]) if row else None


async def reputation(conn: Conn, agent_id: str) -> float:
    """The sender's reputation (in the sender's tenant transaction)."""
    row = await (
        await conn.execute("SELECT score FROM openclaw_reputation WHERE agent_id = %s", (agent_id,))
    ).fetchone()
    return float(row["score"]) if row else DEFAULT_REPUTATION


async def adjust(conn: Conn, tenant_id: str, agent_id: str, delta: float, now: datetime) -> float:
    """Move the sender's reputation by `delta`, clamped to [0, 1]; returns the new score."""
    row = await (
        await conn.execute(
            "INSERT INTO openclaw_reputation (tenant_id, agent_id, score, updated_at)"
            " VALUES (%s, %s, GREATEST(0, LEAST(1, %s + %s)), %s)"
            " ON CONFLICT (tenant_id, agent_id) DO UPDATE SET"
            " score = GREATEST(0, LEAST(1, openclaw_reputation.score + %s)), updated_at = %s"
            " RETURNING score",
            (tenant_id, agent_id, DEFAULT_REPUTATION, delta, now, delta, now),
        )
    ).fetchone()
    assert row is not None
    return float(row["score"])
