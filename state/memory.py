"""Memory vocabulary: semantic memories (CONTRACTS §3.3), episodes, and a run's memory context.

Shared by the memory server (what its tools accept and return), the episodic store in Redis,
and the swarm (what `load_context` assembles and the judge reads), so every side validates the
same shapes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from state.types import Id, UtcTimestamp

SourceType = Literal["post", "comment", "trend_alert", "conversation", "fact"]
"""What a memory was made from (CONTRACTS §3.3)."""

MemoryText = Annotated[str, Field(min_length=1, max_length=8000)]


class MemoryModel(BaseModel):
    """Immutable, strict base."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MemoryRecord(MemoryModel):
    """One semantic memory as written by `upsert_memory` (the vector is computed server-side)."""

    memory_id: Id
    tenant_id: Id
    agent_id: Id
    source_type: SourceType
    source_id: Annotated[str, Field(min_length=1, max_length=200)]
    text: MemoryText
    timestamp: UtcTimestamp


class MemoryHit(MemoryModel):
    """A search result: the memory and its cosine similarity to the query (1 = identical)."""

    memory_id: Id
    agent_id: Id
    source_type: SourceType
    source_id: str
    text: str
    timestamp: UtcTimestamp
    score: float


class MemoryFilter(MemoryModel):
    """Optional narrowing of a search: agent, source type and time range (inclusive)."""

    agent_id: Id | None = None
    source_type: SourceType | None = None
    since: UtcTimestamp | None = None
    until: UtcTimestamp | None = None


EpisodeKind = Literal["post", "decision", "outcome"]


class Episode(MemoryModel):
    """A recent event of an agent, kept in Redis (short-term, bounded, expiring)."""

    event_id: Id
    kind: EpisodeKind
    campaign_id: Id
    text: MemoryText
    at: UtcTimestamp
    ref: str = ""
    """The related object (post id, task id) when there is one."""


class MemoryContext(MemoryModel):
    """What `load_context` assembled for a run; the worker and judge read the same object."""

    query: str = ""
    episodes: list[Episode] = Field(default_factory=list)
    memories: list[MemoryHit] = Field(default_factory=list)

    def recent_texts(self, *, exclude: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        """(id, text) of every remembered post or episode, minus the given ids."""
        posts = ("post", "comment")
        pairs = [(m.memory_id, m.text) for m in self.memories if m.source_type in posts]
        pairs += [(e.event_id, e.text) for e in self.episodes if e.kind == "post"]
        return [(key, text) for key, text in pairs if key not in exclude]
