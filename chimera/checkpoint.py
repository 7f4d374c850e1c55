"""The Postgres checkpointer, with a strict deserialisation allow-list of our own types."""

from __future__ import annotations

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from chimera.db import Pool
from state import contracts, memory, persona, plan, records, review

CHECKPOINT_TYPES: tuple[type, ...] = tuple(
    obj
    for module in (contracts, memory, persona, plan, records, review)
    for obj in vars(module).values()
    if isinstance(obj, type) and obj.__module__ == module.__name__
)
"""Every class our state and Send packets may hold; nothing else is revived from a checkpoint."""


def serializer() -> JsonPlusSerializer:
    """A serializer that revives only LangGraph's safe types and ours."""
    return JsonPlusSerializer(allowed_msgpack_modules=None).with_msgpack_allowlist(CHECKPOINT_TYPES)


def saver(pool: Pool) -> AsyncPostgresSaver:
    """A Postgres saver on a runtime-role pool (tables are created by the migrations)."""
    return AsyncPostgresSaver(pool, serde=serializer())
