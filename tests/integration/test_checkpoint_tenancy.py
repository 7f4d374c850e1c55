"""Checkpoints are tenant-owned in the database: the runtime role sees and writes only the rows of
the tenant it is set to, cannot delete any, and prunes finished threads only through retention.

Proves specs/security.md §3.1-§3.3.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, TypedDict

import psycopg
import pytest
from langgraph.graph import END, START, StateGraph
from psycopg.rows import dict_row

from chimera.platform.bootstrap import bootstrap
from chimera.platform.checkpoint import new_thread_id, saver, thread_tenant
from chimera.platform.grants import CHECKPOINT_TABLES
from chimera.resources import Services
from tests.support.platform import checkpoint_rows


class Counter(TypedDict):
    """A tiny state: enough to write checkpoints, blobs and writes."""

    n: int
    report: str


def _bump(state: Counter) -> dict[str, int]:
    return {"n": state["n"] + 1}


def _report(state: Counter) -> dict[str, str]:
    return {"report": f"counted to {state['n']}"}


def _graph(svc: Services, *, finished: bool = True) -> Any:
    """bump -> report (or bump alone: a thread that never reports), on the runtime saver."""
    builder = StateGraph(Counter)
    builder.add_node("bump", _bump)
    builder.add_node("report", _report)
    builder.add_edge(START, "bump")
    builder.add_edge("bump", "report" if finished else END)
    builder.add_edge("report", END)
    return builder.compile(checkpointer=saver(svc.checkpoint_pool))


async def _thread(svc: Services, tenant: str, *, finished: bool = True) -> str:
    """Write one real thread for `tenant` through the runtime saver; return its id."""
    thread_id = new_thread_id(tenant, f"campaign-{uuid.uuid4().hex[:8]}", 1)
    await _graph(svc, finished=finished).ainvoke(
        {"n": 0}, {"configurable": {"thread_id": thread_id}}
    )
    return thread_id


async def _as(svc: Services, tenant: str, sql: str, *params: object) -> int:
    """Run `sql` as the runtime role set to `tenant`; the count it returns or affects.

    On a connection of its own: on the checkpoint pool, `app.tenant_id` is the saver's.
    """
    endpoints = await asyncio.to_thread(bootstrap, svc.settings)
    connect = psycopg.AsyncConnection.connect(
        endpoints.pg_app, autocommit=True, row_factory=dict_row
    )
    async with await connect as conn:
        await conn.execute("SELECT set_config('app.tenant_id', %s, false)", (tenant,))
        cur = await conn.execute(sql, params)
        if cur.description is None:
            return cur.rowcount
        row = await cur.fetchone()
        return 0 if row is None else int(next(iter(row.values())))


def test_thread_ids_name_their_tenant_and_a_dotted_tenant_is_refused() -> None:
    """specs/security.md §3.1 (the thread id names its tenant)"""
    assert thread_tenant(new_thread_id("tenant-abc", "c-1", 2)) == "tenant-abc"
    assert thread_tenant(str(uuid.uuid4())) == ""
    with pytest.raises(ValueError, match="must not contain a dot"):
        new_thread_id("acme.eu", "c-1", 1)


async def test_the_runtime_role_sees_only_its_tenants_checkpoints(svc: Services) -> None:
    """specs/security.md §3.1, §3.2 (row-level security on the saver's tables)"""
    abc, xyz = await _thread(svc, "tenant-abc"), await _thread(svc, "tenant-xyz")
    for table in CHECKPOINT_TABLES:
        count = f"SELECT count(*) FROM {table} WHERE thread_id = %s"
        assert await _as(svc, "tenant-abc", count, abc) > 0
        assert await _as(svc, "tenant-abc", count, xyz) == 0, table
        assert await _as(svc, "tenant-xyz", count, xyz) > 0
    # The saver still reads each thread: it sets the tenant of the thread it names.
    state = await _graph(svc).aget_state({"configurable": {"thread_id": xyz}})
    assert state.values["report"] == "counted to 1"


async def test_another_tenants_checkpoints_cannot_be_rewritten_or_forged(svc: Services) -> None:
    """specs/security.md §3.2 (updates miss, inserts are refused by the policy)"""
    xyz = await _thread(svc, "tenant-xyz")
    before = await checkpoint_rows(svc, xyz)
    rewrite = "UPDATE checkpoints SET metadata = '{}'::jsonb WHERE thread_id = %s"
    assert await _as(svc, "tenant-abc", rewrite, xyz) == 0
    forge = (
        "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint, metadata)"
        " VALUES (%s, '', 'forged', '{}'::jsonb, '{}'::jsonb)"
    )
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        await _as(svc, "tenant-abc", forge, xyz)
    assert await checkpoint_rows(svc, xyz) == before


async def test_the_runtime_role_cannot_delete_checkpoints_or_touch_the_ledgers(
    svc: Services,
) -> None:
    """specs/security.md §3.3, §2.3 (no DELETE; migration ledgers are the owner's)"""
    abc = await _thread(svc, "tenant-abc")
    for table in CHECKPOINT_TABLES:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await _as(svc, "tenant-abc", f"DELETE FROM {table} WHERE thread_id = %s", abc)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        await _as(svc, "tenant-abc", "DELETE FROM checkpoint_migrations")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        await _as(svc, "tenant-abc", "SELECT count(*) FROM schema_migrations")
    assert all((await checkpoint_rows(svc, abc)).values())


async def test_retention_deletes_a_finished_thread_and_refuses_an_unfinished_one(
    svc: Services,
) -> None:
    """specs/security.md §3.3 (pruning is retention's, through the database's own rules)"""
    done, open_ = await _thread(svc, "tenant-abc"), await _thread(svc, "tenant-abc", finished=False)
    listed = "SELECT count(*) FROM chimera_prunable_threads(now() + interval '1 day', %s::text[])"
    assert await _as(svc, "", listed, [done, open_]) == 2
    with pytest.raises(psycopg.errors.RaiseException, match="has not finished"):
        await _prune(svc, open_, "+ interval '1 day'")
    with pytest.raises(psycopg.errors.RaiseException, match="after the cut-off"):
        await _prune(svc, done, "- interval '1 day'")
    assert await _prune(svc, done, "+ interval '1 day'") > 0
    assert not any((await checkpoint_rows(svc, done)).values())
    assert all((await checkpoint_rows(svc, open_)).values())


async def _prune(svc: Services, thread_id: str, cutoff_from_now: str) -> int:
    """`chimera_prune_thread` on the thread's newest checkpoint, cut-off `now() <offset>`."""
    newest = "SELECT last_id FROM chimera_prunable_threads(now() + interval '1 day', %s::text[])"
    async with svc.checkpoint_pool.connection() as conn:
        row = await (await conn.execute(newest, ([thread_id],))).fetchone()
    assert row is not None
    prune = f"SELECT chimera_prune_thread(%s, %s, now() {cutoff_from_now})"
    return await _as(svc, "", prune, thread_id, str(row["last_id"]))
