"""The one interface both semantic-memory stores (pgvector, Weaviate) implement.

The server embeds text and hands vectors to a `MemoryBackend`; backends store and search them,
scoped to one tenant per call, and check that the model's vector size matches what they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from state.memory import MemoryFilter, MemoryHit, MemoryRecord

UpsertStatus = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class StoredMemory:
    """A record with its vector and provenance, ready to store."""

    record: MemoryRecord
    vector: list[float]
    model: str
    content_hash: str


@dataclass(frozen=True)
class MemoryStats:
    """How many memories a tenant holds, by source type, and the vector size."""

    total: int
    by_source_type: dict[str, int]
    dimension: int


class MemoryBackend(Protocol):
    """A tenant-scoped vector store of memories."""

    name: str

    async def dimension(self) -> int:
        """Vector size the store holds."""
        ...

    async def content_hash(self, tenant_id: str, memory_id: str) -> str | None:
        """The stored content hash of a memory, or None when the tenant has no such memory."""
        ...

    async def upsert(self, item: StoredMemory) -> UpsertStatus:
        """Insert or replace a memory by (tenant, memory_id)."""
        ...

    async def search(
        self,
        tenant_id: str,
        vector: list[float],
        k: int,
        where: MemoryFilter,
        *,
        query_text: str | None = None,
    ) -> list[MemoryHit]:
        """The k nearest memories by cosine similarity (hybrid with `query_text` if supported)."""
        ...

    async def stats(self, tenant_id: str, agent_id: str | None = None) -> MemoryStats:
        """Counts for the tenant (optionally one agent)."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
