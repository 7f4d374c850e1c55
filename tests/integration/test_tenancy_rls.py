"""Tenant isolation: forced row-level security in Postgres and tenant-prefixed Redis keys.

See specs/technical.md §3.2, §3.3 and specs/functional.md §5.

Isolation is checked from the runtime role's side (what a tenant can see and write) and from the
catalog's side (which tables carry the policy, who owns them), against the session's real services.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import psycopg
import pytest
from psycopg import sql
from pydantic import ValidationError

from chimera.control.repo import ensure_campaign
from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.signals.feeds import NEWS_TTL_S, news_cache_key, read_news
from state.contracts import PostContent
from tests.conftest import ETHIOPIA, LAGOS

XYZ = "tenant-xyz"
ABC = "tenant-abc"
ISOLATED_TABLES = ("agents", "campaigns", "social_posts")


def tenant_tables(admin: str) -> list[dict[str, Any]]:
    """Every table of schema public with a tenant_id column, with its RLS flags and owner."""
    with psycopg.connect(admin) as conn:
        rows = conn.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
            "       pg_get_userbyid(c.relowner) AS owner"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND EXISTS ("
            "   SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
            "   AND a.attname = 'tenant_id' AND NOT a.attisdropped)"
            " ORDER BY c.relname"
        ).fetchall()
    return [{"table": r[0], "rls": r[1], "forced": r[2], "owner": r[3]} for r in rows]


async def count(svc: Services, as_tenant: str, table: str, of_tenant: str) -> int:
    """Rows of `of_tenant` in `table` that `as_tenant` can see."""
    async with tenant_tx(svc.pool, as_tenant) as conn:
        row = await (
            await conn.execute(
                sql.SQL("SELECT count(*) AS n FROM {} WHERE tenant_id = %s").format(
                    sql.Identifier(table)
                ),
                (of_tenant,),
            )
        ).fetchone()
    assert row is not None
    return int(row["n"])


async def seed_xyz(svc: Services) -> str:
    """A campaign and a platform post of tenant-xyz, so its rows exist whatever ran before."""
    tag = uuid.uuid4().hex[:10]
    campaign_id = f"cmp-rls-{tag}"
    async with tenant_tx(svc.pool, XYZ) as conn:
        await ensure_campaign(conn, XYZ, ETHIOPIA, campaign_id, "RLS isolation fixture")
    who = CallIdentity(tenant_id=XYZ, agent_id=ETHIOPIA, run_id=f"run-rls-{tag}")
    await svc.host.call_tool(
        "social",
        "post_content",
        {
            "platform": "instagram",
            "tenant_id": XYZ,
            "agent_id": ETHIOPIA,
            "idempotency_key": f"test-rls-{tag}",
            "content": {"text": "Woven by local hands #AIcreator"},
            "disclosure": {"ai_generated": True},
            "scheduling": {"mode": "immediate"},
            "tracking": {"campaign_id": campaign_id, "task_id": f"task-{tag}"},
        },
        who=who,
    )
    return campaign_id


async def test_every_tenant_table_has_forced_row_level_security(svc: Services) -> None:
    """specs/technical.md §3.2"""
    tables = tenant_tables(svc.endpoints.pg_admin)
    names = {t["table"] for t in tables}
    assert names >= {
        "tenants",
        "agents",
        "campaigns",
        "threads",
        "tasks",
        "artifacts",
        "reviews",
        "intents",
        "audit_log",
        "social_posts",
        "social_mentions",
        "social_idempotency",
    }
    unprotected = [t["table"] for t in tables if not (t["rls"] and t["forced"])]
    assert unprotected == []


async def test_every_tenant_table_has_a_policy_keyed_on_the_transaction_tenant(
    svc: Services,
) -> None:
    """specs/technical.md §3.2"""
    with psycopg.connect(svc.endpoints.pg_admin) as conn:
        policies = dict(
            conn.execute(
                "SELECT tablename, qual FROM pg_policies WHERE schemaname = 'public'"
            ).fetchall()
        )
    for table in (t["table"] for t in tenant_tables(svc.endpoints.pg_admin)):
        assert table in policies, f"{table} has no policy"
        assert "current_setting('app.tenant_id'" in policies[table]


async def test_the_runtime_role_is_not_superuser_and_owns_no_tenant_table(svc: Services) -> None:
    """specs/technical.md §3.2"""
    async with await psycopg.AsyncConnection.connect(svc.endpoints.pg_app) as conn:
        row = await (
            await conn.execute(
                "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles"
                " WHERE rolname = current_user"
            )
        ).fetchone()
    assert row is not None
    user, superuser, bypass = row
    assert user == svc.settings.app_db_role
    assert superuser is False and bypass is False
    owners = {t["table"]: t["owner"] for t in tenant_tables(svc.endpoints.pg_admin)}
    assert owners and user not in owners.values()


async def test_the_runtime_role_cannot_create_tables_or_lift_row_security(svc: Services) -> None:
    """specs/technical.md §3.2"""
    async with await psycopg.AsyncConnection.connect(svc.endpoints.pg_app) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("ALTER TABLE social_posts NO FORCE ROW LEVEL SECURITY")
        await conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute(f"CREATE TABLE rls_probe_{uuid.uuid4().hex[:8]} (x int)")
        await conn.rollback()


async def test_another_tenants_rows_are_invisible_while_its_own_are_visible(svc: Services) -> None:
    """specs/technical.md §3.2, specs/functional.md §5"""
    campaign_id = await seed_xyz(svc)
    for table in ISOLATED_TABLES:
        assert await count(svc, XYZ, table, XYZ) > 0, table
        assert await count(svc, ABC, table, XYZ) == 0, table
    async with tenant_tx(svc.pool, ABC) as conn:
        found = await (
            await conn.execute("SELECT id FROM campaigns WHERE id = %s", (campaign_id,))
        ).fetchone()
    assert found is None


async def test_a_tenant_sees_only_its_own_tenants_row(svc: Services) -> None:
    """specs/technical.md §3.2"""
    async with tenant_tx(svc.pool, ABC) as conn:
        rows = await (await conn.execute("SELECT tenant_id FROM tenants")).fetchall()
    assert [r["tenant_id"] for r in rows] == [ABC]


async def test_writing_a_row_for_another_tenant_is_refused(svc: Services) -> None:
    """specs/technical.md §3.2"""
    post_id = f"post-rls-{uuid.uuid4().hex[:12]}"
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        async with tenant_tx(svc.pool, ABC) as conn:
            await conn.execute(
                "INSERT INTO social_posts (post_id, tenant_id, agent_id, platform, text,"
                " disclosure, scheduling, status) VALUES (%s, %s, %s, 'twitter', 'spoof',"
                " '{}', '{}', 'published')",
                (post_id, XYZ, ETHIOPIA),
            )
    async with tenant_tx(svc.pool, XYZ) as conn:
        row = await (
            await conn.execute("SELECT 1 FROM social_posts WHERE post_id = %s", (post_id,))
        ).fetchone()
    assert row is None


async def test_moving_a_row_to_another_tenant_is_refused(svc: Services) -> None:
    """specs/technical.md §3.2"""
    campaign_id = await seed_xyz(svc)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        async with tenant_tx(svc.pool, XYZ) as conn:
            await conn.execute(
                "UPDATE campaigns SET tenant_id = %s WHERE id = %s", (ABC, campaign_id)
            )
    async with tenant_tx(svc.pool, XYZ) as conn:
        row = await (
            await conn.execute("SELECT tenant_id FROM campaigns WHERE id = %s", (campaign_id,))
        ).fetchone()
    assert row is not None and row["tenant_id"] == XYZ


async def test_a_connection_with_no_tenant_set_sees_nothing(svc: Services) -> None:
    """specs/technical.md §3.2"""
    await seed_xyz(svc)
    async with await psycopg.AsyncConnection.connect(svc.endpoints.pg_app) as conn:
        for table in (*ISOLATED_TABLES, "tenants", "social_idempotency"):
            row = await (
                await conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            ).fetchone()
            assert row is not None and row[0] == 0, table


async def test_the_tenant_of_a_transaction_does_not_outlive_it(svc: Services) -> None:
    """specs/technical.md §3.2"""
    await seed_xyz(svc)
    async with svc.pool.connection() as conn:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', %s, true)", (XYZ,))
            inside = await (await conn.execute("SELECT count(*) AS n FROM agents")).fetchone()
        after = await (await conn.execute("SELECT count(*) AS n FROM agents")).fetchone()
        await conn.rollback()
    assert inside is not None and inside["n"] > 0
    assert after is not None and after["n"] == 0


async def test_a_transaction_without_a_tenant_is_refused(svc: Services) -> None:
    """specs/technical.md §3.2"""
    with pytest.raises(ValueError, match="tenant_id"):
        async with tenant_tx(svc.pool, ""):
            pass


async def test_redis_keys_written_for_a_campaign_are_prefixed_by_tenant(svc: Services) -> None:
    """specs/technical.md §3.3"""
    reads = [
        (CallIdentity(tenant_id=XYZ, agent_id=ETHIOPIA), "news://ethiopia/fashion/trends"),
        (CallIdentity(tenant_id=ABC, agent_id=LAGOS), "news://nigeria/tech/trends"),
    ]
    for who, uri in reads:
        key = news_cache_key(who.tenant_id, uri)
        assert key.startswith(f"chimera:{who.tenant_id}:")
        await svc.redis.delete(key)
        items = await read_news(svc.host, svc.redis, uri, who)
        assert items
        assert await svc.redis.exists(key) == 1
        assert 0 < await svc.redis.ttl(key) <= NEWS_TTL_S
    keys = await svc.redis.keys("chimera:*")
    assert {news_cache_key(w.tenant_id, u) for w, u in reads} <= set(keys)
    allowed = re.compile(r"^chimera:(sys|tenant-[A-Za-z0-9_.-]+):")
    assert [k for k in keys if not allowed.match(k)] == []
    assert not [k for k in await svc.redis.keys("*") if not k.startswith("chimera:")]


async def test_the_same_resource_is_cached_separately_per_tenant(svc: Services) -> None:
    """specs/technical.md §3.3"""
    uri = "news://ethiopia/fashion/trends"
    xyz, abc = news_cache_key(XYZ, uri), news_cache_key(ABC, uri)
    await svc.redis.delete(xyz, abc)
    await read_news(svc.host, svc.redis, uri, CallIdentity(tenant_id=XYZ, agent_id=ETHIOPIA))
    assert await svc.redis.exists(xyz) == 1
    assert await svc.redis.exists(abc) == 0


def test_a_tenant_id_containing_a_colon_is_refused_at_the_boundary() -> None:
    """specs/technical.md §2.1, §3.3"""
    with pytest.raises(ValidationError):
        PostContent(
            platform="twitter",
            tenant_id="tenant-abc:news",
            agent_id=LAGOS,
            content={"text": "hello"},
            disclosure={"ai_generated": True},
            scheduling={"mode": "immediate"},
        )
