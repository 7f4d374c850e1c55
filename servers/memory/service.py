"""What the memory tools do, apart from the MCP wiring: embed, check, store, search.

Kept free of FastMCP so the behaviour suite and the benchmark drive it directly against either
backend. Text is embedded here, once per distinct content: an upsert whose content hash is
already stored for that memory id returns "unchanged" without running the model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from langchain_core.embeddings import Embeddings

from chimera.platform.embeddings import DimensionMismatch, model_name
from servers.memory.backend import MemoryBackend, StoredMemory, UpsertStatus
from state.memory import MemoryFilter, MemoryHit, MemoryRecord

MAX_K = 50


def content_hash(record: MemoryRecord, model: str) -> str:
    """Hash of what a memory says (not its vector, ids or time): equal hash, nothing to redo."""
    fields = record.model_dump(exclude={"memory_id", "tenant_id", "timestamp"})
    blob = "\x1f".join([model, *(f"{k}={fields[k]}" for k in sorted(fields))])
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class MemoryService:
    """Embeddings + a backend."""

    embeddings: Embeddings
    backend: MemoryBackend

    async def upsert(self, record: MemoryRecord) -> dict[str, Any]:
        """Store a memory once per content; returns its id and created/updated/unchanged.

        Raises:
            DimensionMismatch: the model's vectors do not fit the store.

        """
        model = model_name(self.embeddings)
        digest = content_hash(record, model)
        if await self.backend.content_hash(record.tenant_id, record.memory_id) == digest:
            status: UpsertStatus = "unchanged"
        else:
            [vector] = await self.embeddings.aembed_documents([record.text])
            item = StoredMemory(record=record, vector=vector, model=model, content_hash=digest)
            status = await self.backend.upsert(item)
        return {"memory_id": record.memory_id, "status": status, "backend": self.backend.name}

    async def search(
        self, tenant_id: str, query: str, k: int, where: MemoryFilter, *, hybrid: bool = False
    ) -> list[MemoryHit]:
        """The k memories nearest to the query text, most similar first.

        Raises:
            ValueError: k outside 1..50 or an empty query.
            DimensionMismatch: the model's vectors do not fit the store.

        """
        if not 1 <= k <= MAX_K:
            raise ValueError(f"k must be between 1 and {MAX_K}")
        if not query.strip():
            raise ValueError("query must not be empty")
        vector = await self.embeddings.aembed_query(query)
        return await self.backend.search(
            tenant_id, vector, k, where, query_text=query if hybrid else None
        )


__all__ = ["DimensionMismatch", "MemoryService", "content_hash"]
