"""LangGraph server auth (`langgraph.json` `auth.path`): an API key is a tenant (and maybe a user).

`authenticate` maps the `x-api-key` header to a tenant, and optionally one of its users, through
`CHIMERA_API_KEYS` (`chimera/platform/api_keys.py`); that user decides reviews resumed with
the key. The authorization handlers then follow LangGraph's owner-metadata pattern: every thread,
run, cron
and assistant a caller creates is tagged `metadata.tenant_id`, and every read, update, search or
delete is filtered on it, so another tenant's thread is simply not found. The assistants the server
creates from `langgraph.json` graphs (`metadata.created_by = system`) are readable by every
tenant; `created_by` is reserved, so a tenant cannot pass its own off as one. A run's input must
name the caller's tenant, and store namespaces must start with it. Studio users of `langgraph dev`
(the local developer) pass unfiltered; set `auth.disable_studio_auth` in a deployment.

The server imports `auth` from this module, so the key map is the one process-scoped holder
here: read from settings once, off the event loop, on first use.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Any, cast

from langgraph_sdk import Auth

from chimera.control import dashboard
from chimera.platform.api_keys import TENANT_KEY, USER_KEY, Principal, parse_principal
from chimera.platform.db import tenant_tx
from chimera.platform.settings import Settings
from chimera.serving.process import process_services

API_KEY_HEADER = "x-api-key"
SYSTEM_CREATOR = "created_by"
"""Metadata key langgraph-api sets to `system` on the assistants it creates from graphs."""

auth = Auth()


class _KeyMap:
    """API key -> `tenant` or `tenant:user`, loaded from settings on first use."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._keys: dict[str, str] | None = None

    async def principal_of(self, key: str) -> Principal | None:
        async with self._lock:
            if self._keys is None:
                settings = await asyncio.to_thread(Settings)
                self._keys = dict(settings.api_keys)
        value = resolve_key(self._keys, key)
        return None if value is None else parse_principal(value)


_key_map = _KeyMap()


def resolve_key(keys: dict[str, str], presented: str) -> str | None:
    """The value (`tenant` or `tenant:user`) of `presented`, compared in constant time."""
    found = None
    for key, tenant in keys.items():
        if hmac.compare_digest(key.encode(), presented.encode()):
            found = tenant
    return found


def _header(headers: dict[bytes, bytes] | dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        k = key.decode() if isinstance(key, bytes) else key
        if k.lower() == name:
            return value.decode() if isinstance(value, bytes) else value
    return None


@auth.authenticate
async def authenticate(headers: dict[bytes, bytes]) -> Auth.types.MinimalUserDict:
    """Resolve the caller's tenant (and user, if the key names one); 401 without a known key."""
    key = _header(headers, API_KEY_HEADER)
    found = await _key_map.principal_of(key) if key else None
    if found is None:
        raise Auth.exceptions.HTTPException(status_code=401, detail="missing or unknown API key")
    identity = f"tenant:{found.tenant_id}"
    user: dict[str, Any] = {"identity": identity, TENANT_KEY: found.tenant_id}
    if found.user is not None:
        user.update(identity=f"{identity}:user:{found.user}", display_name=found.user)
        user[USER_KEY] = found.user
    return user  # type: ignore[return-value]


def tenant_of(ctx: Auth.types.AuthContext) -> str | None:
    """The caller's tenant, or None for a LangGraph Studio user."""
    if isinstance(ctx.user, Auth.types.StudioUser):
        return None
    tenant = ctx.user[TENANT_KEY]
    if not isinstance(tenant, str) or not tenant:
        raise Auth.exceptions.HTTPException(status_code=403, detail="no tenant for this caller")
    return tenant


def _owned(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> Auth.types.FilterType | None:
    """Tag what is created with the tenant; filter everything else on it."""
    tenant = tenant_of(ctx)
    if tenant is None:
        return None
    if ctx.action in ("create", "create_run") or "metadata" in value:
        metadata = value.get("metadata")
        if metadata is None:
            metadata = value["metadata"] = {}
        if metadata.get(TENANT_KEY, tenant) != tenant:
            raise Auth.exceptions.HTTPException(status_code=403, detail="foreign tenant metadata")
        metadata[TENANT_KEY] = tenant
    return {TENANT_KEY: tenant}


@auth.on.threads
async def threads(
    ctx: Auth.types.AuthContext, value: dict[str, Any]
) -> Auth.types.FilterType | None:
    """Threads (and their runs, state and history) belong to the tenant that created them."""
    if ctx.action == "create_run":
        _check_run_input(ctx, value.get("kwargs") or {})
        await _check_unkeyed_resume(ctx, value)
    if ctx.action == "update" and set(value) == {"thread_id"}:
        await _check_state_update(ctx, str(value["thread_id"]))
    return _owned(ctx, value)


async def _check_state_update(ctx: Auth.types.AuthContext, thread_id: str) -> None:
    """Refuse a state update (only `thread_id` is passed for one) while reviews wait.

    Agent Inbox's "Mark as Resolved" writes `values: null` as node `__end__`: the thread would
    look finished while its reviews stay pending and undecided. Each review must be answered.
    """
    tenant = tenant_of(ctx)
    if tenant is None:
        return
    svc = await process_services()
    async with tenant_tx(svc.pool, tenant) as conn:
        pending = await dashboard.pending_in_thread(conn, thread_id)
    if pending:
        raise Auth.exceptions.HTTPException(
            status_code=409,
            detail=(
                f"thread {thread_id} has {pending} pending review(s): answer each one (Accept,"
                " Edit, Respond or Ignore); resolving the thread would leave them pending"
            ),
        )


def unkeyed_resume(command: object) -> bool:
    """Whether a run's `command` resumes with one value for whichever interrupt is pending.

    A resume keyed by interrupt id (`{id: value, ...}`, ids being 32 hex digits) names the
    interrupts it answers; anything else (Agent Inbox's `[{"type": "accept", ...}]`) does not.
    """
    if not isinstance(command, dict) or "resume" not in command:
        return False
    resume = command["resume"]
    keyed = isinstance(resume, dict) and bool(resume) and all(map(_is_interrupt_id, resume))
    return not keyed


def _is_interrupt_id(key: object) -> bool:
    return isinstance(key, str) and len(key) == 32 and all(c in "0123456789abcdef" for c in key)


async def _check_unkeyed_resume(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> None:
    """Refuse one unkeyed answer while several reviews of the thread wait (409, with the reason).

    LangGraph resumes `Command(resume=value)` only when a single interrupt is pending; with more
    the run fails ("you must specify the interrupt id") and the thread turns to `error`. Agent
    Inbox sends exactly that, so its answer would fail with nothing shown on the review. Refused
    here instead, the thread stays interrupted and every review stays answerable.
    """
    tenant, thread_id = tenant_of(ctx), value.get("thread_id")
    command = (value.get("kwargs") or {}).get("command")
    if tenant is None or thread_id is None or not unkeyed_resume(command):
        return
    svc = await process_services()
    async with tenant_tx(svc.pool, tenant) as conn:
        pending = await dashboard.pending_in_thread(conn, str(thread_id))
    if pending > 1:
        raise Auth.exceptions.HTTPException(
            status_code=409,
            detail=(
                f"thread {thread_id} has {pending} pending reviews and this answer names none of"
                " them (LangGraph needs the interrupt id when several wait; Agent Inbox sends"
                " none): answer them in the console (/console/reviews) or with `chimera review`;"
                " Agent Inbox can answer the thread's last one"
            ),
        )


def _check_run_input(ctx: Auth.types.AuthContext, kwargs: dict[str, Any]) -> None:
    tenant = tenant_of(ctx)
    payload = kwargs.get("input")
    if tenant is None or not isinstance(payload, dict) or TENANT_KEY not in payload:
        return
    if payload[TENANT_KEY] != tenant:
        raise Auth.exceptions.HTTPException(
            status_code=403, detail="a run may only act for the caller's tenant"
        )


@auth.on.crons
async def crons(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> Auth.types.FilterType | None:
    """Crons belong to the tenant that created them."""
    return _owned(ctx, value)


@auth.on.assistants
async def assistants(
    ctx: Auth.types.AuthContext, value: dict[str, Any]
) -> Auth.types.FilterType | None:
    """Graph (system) assistants are shared: every tenant reads them and runs their graphs.

    What a tenant creates is its own: tagged with its tenant, readable, searchable, updatable
    and deletable only by it. Running a system assistant skips this read check in langgraph-api;
    running a tenant's assistant applies it, so another tenant's is not found.
    """
    tenant = tenant_of(ctx)
    if tenant is None:
        return None
    if ctx.action in ("read", "search"):  # a search's `metadata` is its query: left untouched
        shared = {"$or": [{TENANT_KEY: tenant}, {SYSTEM_CREATOR: "system"}]}
        return cast(Auth.types.FilterType, shared)  # langgraph-api filters accept `$or`
    metadata = value.get("metadata")
    if isinstance(metadata, dict) and SYSTEM_CREATOR in metadata:
        raise Auth.exceptions.HTTPException(
            status_code=403, detail=f"metadata.{SYSTEM_CREATOR} is reserved for graph assistants"
        )
    return _owned(ctx, value)


@auth.on.store()
async def store(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> None:
    """Store namespaces start with the caller's tenant; listing is scoped to it."""
    tenant = tenant_of(ctx)
    if tenant is None:
        return
    namespace = tuple(value.get("namespace") or ())
    if not namespace and ctx.action in ("search", "list_namespaces"):
        value["namespace"] = (tenant,)
        return
    if not namespace or namespace[0] != tenant:
        raise Auth.exceptions.HTTPException(
            status_code=403, detail="store namespaces must start with your tenant id"
        )
