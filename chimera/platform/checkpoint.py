"""The Postgres checkpointer: tenant-scoped rows, a strict deserialisation allow-list of our types.

Checkpoint rows carry the tenant of their thread (`<tenant>.<campaign>.run-<n>`; migration
0016 generates the column) under forced row-level security. `TenantSaver` sets `app.tenant_id`
to the thread's tenant before every query, in the same pipeline as the writes, so a query can
only see or write the rows of the thread's own tenant; the runtime role cannot delete them
(retention prunes finished threads through SECURITY DEFINER functions).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any
from weakref import WeakKeyDictionary

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from psycopg import AsyncCursor
from psycopg.rows import DictRow

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


_SET_TENANT = "SELECT set_config('app.tenant_id', %s, false)"
_TENANT: ContextVar[str] = ContextVar("chimera_checkpoint_tenant", default="")
_SET_ON: WeakKeyDictionary[object, str] = WeakKeyDictionary()
"""The tenant each pooled connection is set to: the saver owns `app.tenant_id` on the checkpoint
pool's connections (nothing else sets it there), so a connection already set to the thread's
tenant skips the statement."""


def thread_tenant(thread_id: str) -> str:
    """The tenant owning a thread: the text before its first dot ('' for the server's UUIDs).

    The same rule as the SQL function `chimera_thread_tenant` that fills the rows' column.
    """
    head, dot, _ = thread_id.partition(".")
    return head if dot else ""


def new_thread_id(tenant_id: str, campaign_id: str, seq: int) -> str:
    """`<tenant>.<campaign>.run-<seq>`: thread ids are namespaced by their tenant.

    Raises:
        ValueError: the tenant id holds a dot, so its threads could not be told apart.

    """
    if "." in tenant_id:
        raise ValueError(f"tenant id {tenant_id!r} must not contain a dot (it names thread ids)")
    return f"{tenant_id}.{campaign_id}.run-{seq}"


def _tenant_of(config: RunnableConfig | None) -> str:
    thread_id = (config or {}).get("configurable", {}).get("thread_id")
    return thread_tenant(str(thread_id)) if thread_id is not None else ""


@contextmanager
def _scoped(config: RunnableConfig | None) -> Iterator[None]:
    """Within the block, the saver's queries run as the tenant of the thread `config` names."""
    token = _TENANT.set(_tenant_of(config))
    try:
        yield
    finally:
        _TENANT.reset(token)


class TenantSaver(AsyncPostgresSaver):
    """`AsyncPostgresSaver` whose every query runs as the tenant of the thread it names."""

    @asynccontextmanager
    async def _cursor(self, *, pipeline: bool = False) -> AsyncIterator[AsyncCursor[DictRow]]:
        async with super()._cursor(pipeline=pipeline) as cur:
            tenant = _TENANT.get()
            if _SET_ON.get(cur.connection) != tenant:
                await cur.execute(_SET_TENANT, (tenant,))
                _SET_ON[cur.connection] = tenant
            yield cur

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """Upstream's, run as the tenant of the thread `config` names."""
        with _scoped(config):
            return await super().aget_tuple(config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Upstream's, run as the tenant of the thread `config` names."""
        _TENANT.set(_tenant_of(config))
        async for item in super().alist(config, filter=filter, before=before, limit=limit):
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Upstream's, run as the tenant of the thread `config` names."""
        with _scoped(config):
            return await super().aput(config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Upstream's, run as the tenant of the thread `config` names."""
        with _scoped(config):
            await super().aput_writes(config, writes, task_id, task_path)

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, Any]:
        """Upstream's, run as the tenant of the thread `config` names."""
        with _scoped(config):
            return await super().aget_delta_channel_history(config=config, channels=channels)


def saver(pool: Pool) -> AsyncPostgresSaver:
    """A Postgres saver on a runtime-role pool (tables are created by the migrations).

    Upstream wraps every query in one `asyncio.Lock` per saver even over a pool
    (langgraph#7259), so the one saver the server shares would run all checkpoint I/O in a
    single file. Each query takes its own pooled connection, so the lock becomes a semaphore
    of the pool's size: as many queries as connections, the rest wait here (not on the pool's
    acquire timeout).
    """
    checkpointer = TenantSaver(pool, serde=serializer())
    checkpointer.lock = asyncio.Semaphore(pool.max_size)  # type: ignore[assignment]
    return checkpointer
