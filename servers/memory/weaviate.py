"""Semantic memory in Weaviate: collection `Memory`, native multi-tenancy, one tenant per tenant_id.

weaviate-client v4 async collections API. Tenants are created on first write; every query goes
through `collection.with_tenant(tenant_id)` AND filters on the `tenant_id` property (CONTRACTS
§3.3: "every query must be filtered on it"). Vectors are self-provided (the server embeds), the
index is HNSW with cosine distance; search is near-vector, or hybrid (BM25 + vector) on request.
"""

from __future__ import annotations

from typing import Any

from weaviate.classes.aggregate import GroupByAggregate
from weaviate.classes.config import Configure, DataType, Property, VectorDistances
from weaviate.classes.query import Filter, MetadataQuery
from weaviate.classes.tenants import Tenant
from weaviate.util import generate_uuid5

from chimera.platform.embeddings import DimensionMismatch
from chimera.platform.settings import Settings
from servers.memory.backend import MemoryStats, StoredMemory, UpsertStatus
from state.memory import MemoryFilter, MemoryHit
from state.types import parse_utc, to_utc_z

COLLECTION = "Memory"
TEXT_PROPS = ("memory_id", "tenant_id", "agent_id", "source_type", "source_id", "text")
PROPERTIES = [
    *(Property(name=p, data_type=DataType.TEXT) for p in TEXT_PROPS),
    Property(name="timestamp", data_type=DataType.DATE),
    Property(name="model", data_type=DataType.TEXT),
    Property(name="content_hash", data_type=DataType.TEXT),
]
RETURN = [*TEXT_PROPS, "timestamp"]
HYBRID_ALPHA = 0.6


def build_filter(tenant_id: str, where: MemoryFilter) -> Any:
    """The Weaviate filter for a search: always the tenant, then the optional narrowing."""
    parts = [Filter.by_property("tenant_id").equal(tenant_id)]
    if where.agent_id:
        parts.append(Filter.by_property("agent_id").equal(where.agent_id))
    if where.source_type:
        parts.append(Filter.by_property("source_type").equal(where.source_type))
    if where.since:
        parts.append(Filter.by_property("timestamp").greater_or_equal(parse_utc(where.since)))
    if where.until:
        parts.append(Filter.by_property("timestamp").less_or_equal(parse_utc(where.until)))
    return Filter.all_of(parts)


def object_uuid(tenant_id: str, memory_id: str) -> str:
    """Deterministic object id: the same memory always maps to the same object."""
    return str(generate_uuid5(f"{tenant_id}\x1f{memory_id}"))


def to_hit(obj: Any) -> MemoryHit:
    """A Weaviate object (with distance metadata) as a `MemoryHit`."""
    p, meta = obj.properties, obj.metadata
    distance = meta.distance if meta is not None and meta.distance is not None else None
    score = 1.0 - float(distance) if distance is not None else float(meta.score or 0.0)
    return MemoryHit(
        memory_id=p["memory_id"],
        agent_id=p["agent_id"],
        source_type=p["source_type"],
        source_id=p["source_id"],
        text=p["text"],
        timestamp=to_utc_z(p["timestamp"]),
        score=round(score, 6),
    )


class WeaviateBackend:
    """Memories in a multi-tenant Weaviate collection."""

    name = "weaviate"

    def __init__(self, client: Any, *, collection: Any = None) -> None:
        self._client = client
        self._collection = collection
        self._tenants: set[str] = set()
        self._dims: dict[str, int] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> WeaviateBackend:
        """A backend for `CHIMERA_WEAVIATE_URL` (connected lazily on first use)."""
        import weaviate
        from weaviate.classes.init import Auth

        if not settings.weaviate_url:
            raise ValueError("CHIMERA_MEMORY_BACKEND=weaviate needs CHIMERA_WEAVIATE_URL")
        from urllib.parse import urlparse

        url = urlparse(settings.weaviate_url)
        secure = url.scheme == "https"
        key = settings.weaviate_api_key
        client = weaviate.use_async_with_custom(
            http_host=url.hostname or "127.0.0.1",
            http_port=url.port or (443 if secure else 80),
            http_secure=secure,
            grpc_host=url.hostname or "127.0.0.1",
            grpc_port=settings.weaviate_grpc_port,
            grpc_secure=secure,
            auth_credentials=Auth.api_key(key.get_secret_value()) if key else None,
        )
        return cls(client)

    async def _base(self) -> Any:
        if self._collection is None:
            if not self._client.is_connected():
                await self._client.connect()
            if not await self._client.collections.exists(COLLECTION):
                await self._client.collections.create(
                    COLLECTION,
                    properties=PROPERTIES,
                    vector_config=Configure.Vectors.self_provided(
                        vector_index_config=Configure.VectorIndex.hnsw(
                            distance_metric=VectorDistances.COSINE
                        )
                    ),
                    multi_tenancy_config=Configure.multi_tenancy(enabled=True),
                )
            self._collection = self._client.collections.get(COLLECTION)
        return self._collection

    async def _tenant(self, tenant_id: str, *, create: bool) -> Any | None:
        base = await self._base()
        if tenant_id not in self._tenants:
            if not await base.tenants.exists(tenant_id):
                if not create:
                    return None
                await base.tenants.create([Tenant(name=tenant_id)])
            self._tenants.add(tenant_id)
        return base.with_tenant(tenant_id)

    async def _check(self, tenant_id: str, col: Any, vector: list[float]) -> None:
        if tenant_id not in self._dims:
            found = await col.query.fetch_objects(limit=1, include_vector=True)
            if not found.objects:
                return
            self._dims[tenant_id] = len(found.objects[0].vector["default"])
        if len(vector) != self._dims[tenant_id]:
            raise DimensionMismatch(len(vector), self._dims[tenant_id], "Weaviate Memory")

    async def dimension(self) -> int:
        """Vector size seen in the store (0 until a tenant's vectors were read)."""
        return next(iter(self._dims.values()), 0)

    async def content_hash(self, tenant_id: str, memory_id: str) -> str | None:
        """The stored hash of one of the tenant's memories."""
        col = await self._tenant(tenant_id, create=False)
        if col is None:
            return None
        obj = await col.query.fetch_object_by_id(
            object_uuid(tenant_id, memory_id), return_properties=["content_hash", "tenant_id"]
        )
        if obj is None or obj.properties.get("tenant_id") != tenant_id:
            return None
        return str(obj.properties["content_hash"])

    async def upsert(self, item: StoredMemory) -> UpsertStatus:
        """Insert, or replace the object with the memory's deterministic uuid."""
        r = item.record
        col: Any = await self._tenant(r.tenant_id, create=True)
        await self._check(r.tenant_id, col, item.vector)
        props = {
            **r.model_dump(exclude={"timestamp"}),
            "timestamp": parse_utc(r.timestamp),
            "model": item.model,
            "content_hash": item.content_hash,
        }
        uid = object_uuid(r.tenant_id, r.memory_id)
        if await col.data.exists(uid):
            await col.data.replace(uuid=uid, properties=props, vector=item.vector)
            return "updated"
        await col.data.insert(properties=props, uuid=uid, vector=item.vector)
        self._dims.setdefault(r.tenant_id, len(item.vector))
        return "created"

    async def search(
        self,
        tenant_id: str,
        vector: list[float],
        k: int,
        where: MemoryFilter,
        *,
        query_text: str | None = None,
    ) -> list[MemoryHit]:
        """Near-vector (or hybrid) search inside the tenant, filtered on tenant_id too."""
        col = await self._tenant(tenant_id, create=False)
        if col is None:
            return []
        await self._check(tenant_id, col, vector)
        filters = build_filter(tenant_id, where)
        meta = MetadataQuery(distance=True, score=True)
        if query_text:
            result = await col.query.hybrid(
                query=query_text,
                vector=vector,
                alpha=HYBRID_ALPHA,
                limit=k,
                filters=filters,
                return_properties=RETURN,
                return_metadata=meta,
            )
        else:
            result = await col.query.near_vector(
                near_vector=vector,
                limit=k,
                filters=filters,
                return_properties=RETURN,
                return_metadata=meta,
            )
        return [to_hit(o) for o in result.objects if o.properties.get("tenant_id") == tenant_id]

    async def stats(self, tenant_id: str, agent_id: str | None = None) -> MemoryStats:
        """Counts by source type inside the tenant."""
        col = await self._tenant(tenant_id, create=False)
        if col is None:
            return MemoryStats(0, {}, await self.dimension())
        groups = await col.aggregate.over_all(
            filters=build_filter(tenant_id, MemoryFilter(agent_id=agent_id)),
            group_by=GroupByAggregate(prop="source_type"),
            total_count=True,
        )
        counts = {str(g.grouped_by.value): int(g.total_count or 0) for g in groups.groups}
        return MemoryStats(sum(counts.values()), counts, await self.dimension())

    async def aclose(self) -> None:
        """Close the client connection."""
        if self._client is not None and self._client.is_connected():
            await self._client.close()
