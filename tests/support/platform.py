"""Queries tests use to check what really happened on the sandbox platform and the ledger."""

from __future__ import annotations

from typing import Any

import psycopg

from chimera.platform.db import tenant_tx
from chimera.platform.settings import Settings
from chimera.resources import Services, bootstrap


async def platform_posts(svc: Services, tenant_id: str, campaign_id: str) -> list[dict[str, Any]]:
    """Posts the sandbox platform holds for a campaign (what the world saw)."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        rows = await (
            await conn.execute(
                "SELECT post_id, platform, text, reply_to_id, tracking->>'task_id' AS task_id"
                " FROM social_posts WHERE tracking->>'campaign_id' = %s ORDER BY created_at",
                (campaign_id,),
            )
        ).fetchall()
    return [dict(r) for r in rows]


async def scalar(svc: Services, tenant_id: str, sql: str, *params: Any) -> Any:
    """One value from a tenant-scoped query."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        row = await (await conn.execute(sql, params)).fetchone()
    return None if row is None else next(iter(row.values()))


async def forget_mentions(svc: Services, *tenants: str) -> None:
    """Empty the engagement ledger of the tenants (both sample tenants by default)."""
    for tenant in tenants or ("tenant-xyz", "tenant-abc"):
        async with tenant_tx(svc.pool, tenant) as conn:
            await conn.execute("DELETE FROM mention_decisions")


def forget_all_mentions(settings: Settings) -> None:
    """Empty every tenant's engagement ledger, as the owner (no event loop, no services object)."""
    endpoints = bootstrap(settings)
    with psycopg.connect(endpoints.pg_admin, autocommit=True) as conn:
        conn.execute("DELETE FROM mention_decisions")


async def settle_mentions(svc: Services, tenant: str, agent: str, mention_ids: list[str]) -> None:
    """Record mentions as already answered elsewhere, so a run leaves them alone."""
    async with tenant_tx(svc.pool, tenant) as conn:
        for mention_id in mention_ids:
            await conn.execute(
                "INSERT INTO mention_decisions (tenant_id, agent_id, mention_id, platform,"
                " author_handle, text, status, reason, decided_at)"
                " VALUES (%s, %s, %s, 'sandbox', '@test', '(settled by a test)', 'ignored',"
                " 'answered elsewhere', now()) ON CONFLICT (tenant_id, agent_id, mention_id)"
                " DO UPDATE SET status = 'ignored', reason = 'answered elsewhere'",
                (tenant, agent, mention_id),
            )


async def duplicate_intents(svc: Services, tenant_id: str, campaign_id: str) -> list[Any]:
    """(kind, task_id, count) of a campaign's side effects done more than once (none, ever)."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        rows = await (
            await conn.execute(
                "SELECT kind, task_id, count(*) AS n FROM intents WHERE campaign_id = %s"
                " AND status = 'done' GROUP BY kind, task_id HAVING count(*) > 1",
                (campaign_id,),
            )
        ).fetchall()
    return [tuple(r.values()) for r in rows]
