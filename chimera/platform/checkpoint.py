"""The Postgres checkpointer, with a strict deserialisation allow-list of our own types."""

from __future__ import annotations

import asyncio

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from chimera.platform.db import Pool
from state import (
    artifact,
    contract_base,
    contracts,
    memory,
    persona,
    plan,
    records,
    review,
    task,
    tool_args,
    trends,
)

CHECKPOINT_TYPES: tuple[type, ...] = tuple(
    obj
    for module in (
        contract_base,
        task,
        artifact,
        tool_args,
        trends,
        memory,
        persona,
        plan,
        records,
        review,
    )
    for obj in vars(module).values()
    if isinstance(obj, type) and obj.__module__ == module.__name__
)
"""Every class our state and Send packets may hold; nothing else is revived from a checkpoint."""

LEGACY_PATHS: tuple[tuple[str, str], ...] = tuple(
    (contracts.__name__, name)
    for name in contracts.__all__
    if isinstance(vars(contracts)[name], type)
)
"""`state.contracts` paths of the contract classes, as checkpoints written before the split name
them; `state.contracts` re-exports each class, so they revive as the same class."""


def serializer() -> JsonPlusSerializer:
    """A serializer that revives only LangGraph's safe types and ours."""
    return JsonPlusSerializer(allowed_msgpack_modules=None).with_msgpack_allowlist(
        (*CHECKPOINT_TYPES, *LEGACY_PATHS)
    )


def saver(pool: Pool) -> AsyncPostgresSaver:
    """A Postgres saver on a runtime-role pool (tables are created by the migrations).

    Upstream wraps every query in one `asyncio.Lock` per saver even over a pool
    (langgraph#7259), so the one saver the server shares would run all checkpoint I/O in a
    single file. Each query takes its own pooled connection, so the lock becomes a semaphore
    of the pool's size: as many queries as connections, the rest wait here (not on the pool's
    acquire timeout).
    """
    checkpointer = AsyncPostgresSaver(pool, serde=serializer())
    checkpointer.lock = asyncio.Semaphore(pool.max_size)  # type: ignore[assignment]
    return checkpointer
