"""Queries tests use to check what really happened on the sandbox platform and the ledger."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg

from chimera.platform.bootstrap import bootstrap
from chimera.platform.db import tenant_tx
from chimera.platform.grants import CHECKPOINT_TABLES
from chimera.platform.settings import Settings
from chimera.resources import Services


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


FORGET_ENGAGEMENT = (
    "DELETE FROM mention_decisions",
    "DELETE FROM social_posts WHERE reply_to_id IS NOT NULL",
    "DELETE FROM social_mentions",
    "DELETE FROM social_idempotency WHERE idempotency_key IN"
    " (SELECT idempotency_key FROM intents WHERE campaign_id LIKE 'engage-%')",
    "DELETE FROM intents WHERE campaign_id LIKE 'engage-%'",
)
"""The engagement ledger, the replies on the sandbox platform, its stored mentions (the next read
seeds each agent's bundled sample again) and the side effects of the hour's engagement runs.
A mention the platform shows answered is ignored as answered elsewhere, mentions a test added
would show up in the next test's window, and an engagement run of the same hour would reuse the
replies an earlier test's run already sent (exactly-once) instead of sending its own."""


async def forget_mentions(svc: Services, *tenants: str) -> None:
    """Forget the tenants' engagement (both sample tenants by default): see `FORGET_ENGAGEMENT`."""
    for tenant in tenants or ("tenant-xyz", "tenant-abc"):
        async with tenant_tx(svc.pool, tenant) as conn:
            for statement in FORGET_ENGAGEMENT:
                await conn.execute(statement)


def forget_all_mentions(settings: Settings) -> None:
    """Forget every tenant's engagement, as the owner (no event loop, no services object)."""
    endpoints = bootstrap(settings)
    with psycopg.connect(endpoints.pg_admin, autocommit=True) as conn:
        for statement in FORGET_ENGAGEMENT:
            conn.execute(statement)


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


async def checkpoint_rows(svc: Services, thread_like: str) -> dict[str, int]:
    """Checkpoint rows per table of the threads whose id matches a LIKE pattern, any tenant.

    Read as the owner: the runtime role sees only the rows of the tenant it is set to.
    """
    endpoints = await asyncio.to_thread(bootstrap, svc.settings)
    counts = {}
    async with await psycopg.AsyncConnection.connect(endpoints.pg_admin, autocommit=True) as conn:
        for table in CHECKPOINT_TABLES:
            cur = await conn.execute(
                f"SELECT count(*) FROM {table} WHERE thread_id LIKE %s",
                (thread_like,),
            )
            row = await cur.fetchone()
            counts[table] = 0 if row is None else int(row[0])
    return counts


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
