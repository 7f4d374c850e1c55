"""The Weaviate adapter builds the client's own query objects (specs/technical.md §10.3).

No Weaviate server can run here, so a fake collection records what the adapter calls with, and
the test compares those arguments to objects built with `weaviate.classes` directly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from weaviate.classes.query import Filter, MetadataQuery
from weaviate.classes.tenants import Tenant
from weaviate.collections.classes.filters import _FilterAnd

from chimera.platform.embeddings import DimensionMismatch
from servers.memory.backend import StoredMemory
from servers.memory.weaviate import RETURN, WeaviateBackend, build_filter, object_uuid
from state.memory import MemoryFilter, MemoryRecord


def parts(f: Any) -> list[Any]:
    return list(f.filters) if isinstance(f, _FilterAnd) else [f]


class Recorder:
    """Records every call made on it, answering from a script."""

    def __init__(self, calls: list[tuple[str, dict[str, Any]]], answers: dict[str, Any]) -> None:
        self._calls, self._answers = calls, answers

    def __getattr__(self, name: str) -> Any:
        async def call(*args: Any, **kwargs: Any) -> Any:
            self._calls.append((name, {"args": args, **kwargs}))
            answer = self._answers.get(name)
            return answer(*args, **kwargs) if callable(answer) else answer

        return call


class FakeCollection:
    """The slice of `CollectionAsync` the adapter uses."""

    def __init__(self, *, tenants: set[str], stored_dim: int | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.tenant_names = set(tenants)
        vectors = [] if stored_dim is None else [{"default": [0.0] * stored_dim}]
        found = [SimpleNamespace(vector=v) for v in vectors]
        self.tenants = Recorder(
            self.calls,
            {
                "exists": lambda name: name in self.tenant_names,
                "create": lambda ts: self.tenant_names.update(t.name for t in ts),
            },
        )
        self.query = Recorder(
            self.calls,
            {
                "fetch_objects": SimpleNamespace(objects=found),
                "near_vector": SimpleNamespace(objects=[]),
                "hybrid": SimpleNamespace(objects=[]),
                "fetch_object_by_id": None,
            },
        )
        self.data = Recorder(self.calls, {"exists": False})
        self.scoped: list[str] = []

    def with_tenant(self, name: str) -> FakeCollection:
        self.scoped.append(name)
        return self

    def called(self, name: str) -> list[dict[str, Any]]:
        return [kw for n, kw in self.calls if n == name]


def record(tenant: str = "tenant-a") -> MemoryRecord:
    return MemoryRecord(
        memory_id="mem-1",
        tenant_id=tenant,
        agent_id="agent-1",
        source_type="post",
        source_id="post-1",
        text="Handwoven netela for Meskel",
        timestamp="2026-02-06T10:00:00Z",
    )


def test_the_filter_always_scopes_to_the_tenant_then_narrows() -> None:
    where = MemoryFilter(
        agent_id="agent-1",
        source_type="post",
        since="2026-01-01T00:00:00Z",
        until="2026-02-01T00:00:00Z",
    )
    built = build_filter("tenant-a", where)
    assert parts(built) == [
        Filter.by_property("tenant_id").equal("tenant-a"),
        Filter.by_property("agent_id").equal("agent-1"),
        Filter.by_property("source_type").equal("post"),
        Filter.by_property("timestamp").greater_or_equal(datetime(2026, 1, 1, tzinfo=UTC)),
        Filter.by_property("timestamp").less_or_equal(datetime(2026, 2, 1, tzinfo=UTC)),
    ]
    assert parts(build_filter("tenant-b", MemoryFilter())) == [
        Filter.by_property("tenant_id").equal("tenant-b")
    ]


async def test_near_vector_search_runs_inside_the_tenant_with_the_built_filter() -> None:
    col = FakeCollection(tenants={"tenant-a"})
    backend = WeaviateBackend(None, collection=col)
    await backend.search("tenant-a", [0.1, 0.2], 3, MemoryFilter(agent_id="agent-1"))
    assert col.scoped == ["tenant-a"]
    [call] = col.called("near_vector")
    assert call["near_vector"] == [0.1, 0.2] and call["limit"] == 3
    assert parts(call["filters"]) == [
        Filter.by_property("tenant_id").equal("tenant-a"),
        Filter.by_property("agent_id").equal("agent-1"),
    ]
    assert call["return_properties"] == RETURN
    assert call["return_metadata"] == MetadataQuery(distance=True, score=True)
    assert col.called("hybrid") == []


async def test_hybrid_search_passes_the_query_text_and_the_vector() -> None:
    col = FakeCollection(tenants={"tenant-a"})
    backend = WeaviateBackend(None, collection=col)
    await backend.search("tenant-a", [0.1, 0.2], 5, MemoryFilter(), query_text="netela")
    [call] = col.called("hybrid")
    assert call["query"] == "netela" and call["vector"] == [0.1, 0.2] and call["limit"] == 5
    assert 0 < call["alpha"] < 1
    assert parts(call["filters"]) == [Filter.by_property("tenant_id").equal("tenant-a")]


async def test_an_unknown_tenant_is_created_on_first_write_and_never_on_read() -> None:
    col = FakeCollection(tenants=set())
    backend = WeaviateBackend(None, collection=col)
    assert await backend.search("tenant-new", [0.1], 3, MemoryFilter()) == []
    assert col.called("create") == [] and col.called("near_vector") == []
    item = StoredMemory(record("tenant-new"), [0.1, 0.2], "m", "h")
    assert await backend.upsert(item) == "created"
    [create] = col.called("create")
    assert create["args"] == ([Tenant(name="tenant-new")],)
    [insert] = col.called("insert")
    assert insert["uuid"] == object_uuid("tenant-new", "mem-1")
    assert insert["vector"] == [0.1, 0.2]
    assert insert["properties"]["tenant_id"] == "tenant-new"
    assert insert["properties"]["timestamp"] == datetime(2026, 2, 6, 10, tzinfo=UTC)


async def test_an_existing_memory_is_replaced_under_the_same_uuid() -> None:
    col = FakeCollection(tenants={"tenant-a"})
    col.data = Recorder(col.calls, {"exists": True})
    backend = WeaviateBackend(None, collection=col)
    assert await backend.upsert(StoredMemory(record(), [0.1, 0.2], "m", "h")) == "updated"
    [replace] = col.called("replace")
    assert replace["uuid"] == object_uuid("tenant-a", "mem-1")
    assert col.called("insert") == []


def test_object_ids_are_deterministic_and_tenant_specific() -> None:
    assert object_uuid("tenant-a", "mem-1") == object_uuid("tenant-a", "mem-1")
    assert object_uuid("tenant-a", "mem-1") != object_uuid("tenant-b", "mem-1")


async def test_vectors_of_another_size_than_the_stored_ones_are_refused() -> None:
    col = FakeCollection(tenants={"tenant-a"}, stored_dim=384)
    backend = WeaviateBackend(None, collection=col)
    with pytest.raises(DimensionMismatch, match="384-dim"):
        await backend.search("tenant-a", [0.1] * 768, 3, MemoryFilter())
    with pytest.raises(DimensionMismatch):
        await backend.upsert(StoredMemory(record(), [0.1] * 768, "m", "h"))
    assert col.called("insert") == [] and col.called("near_vector") == []
