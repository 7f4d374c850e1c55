"""What every Chimera MCP server shares: CLI entry, caller identity, typed errors, database.

Servers are separate processes (stdio by default, streamable HTTP on request) and import nothing
from graphs, nodes or skills. Errors cross the wire as `[code] message` so the host can tell a
transient failure (retry) from a caller error (never retry).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from mcp.server.fastmcp import Context, FastMCP
from mcp.server.fastmcp.exceptions import ToolError

from chimera.platform.db import Pool, open_pool
from chimera.platform.mcp_tokens import load_tokens
from chimera.platform.settings import Settings
from servers.auth import protect, remote_tenant
from servers.bootstrap import exit_on_bootstrap_failure, server_endpoints


class ServerError(ToolError):
    """A tool failure with a machine-readable code understood by the host."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")


class InvalidArgument(ServerError):
    """The caller sent something invalid; retrying will not help."""

    code = "invalid_argument"


class NotFound(ServerError):
    """The object does not exist for this tenant."""

    code = "not_found"


class Conflict(ServerError):
    """An idempotency key was reused with a different payload."""

    code = "conflict"


class Transient(ServerError):
    """A temporary failure; the host may retry with the same idempotency key."""

    code = "transient"


def caller(ctx: Context[Any, Any, Any], tenant_id: str | None = None) -> dict[str, str]:
    """Identity the host sent in the request `_meta`, checked against the payload's tenant.

    Over HTTP the verified bearer token decides the tenant (`servers.auth.remote_tenant`).

    Raises:
        InvalidArgument: no tenant at all, or the payload's tenant differs from the caller's.

    """
    meta = ctx.request_context.meta
    sent = dict(meta.model_extra or {}) if meta is not None else {}
    meta_tenant = sent.get("tenant_id")
    remote = remote_tenant(tenant_id, meta_tenant)
    if remote is not None:
        return {k: str(v) for k, v in sent.items() if isinstance(v, str)} | {"tenant_id": remote}
    if tenant_id and meta_tenant and tenant_id != meta_tenant:
        raise InvalidArgument("tenant_id of the payload does not match the caller's tenant")
    tenant = tenant_id or meta_tenant
    if not tenant:
        raise InvalidArgument("tenant_id is required")
    return {k: str(v) for k, v in sent.items() if isinstance(v, str)} | {"tenant_id": tenant}


def payload_hash(payload: Any) -> str:
    """Stable hash of a JSON-able payload (idempotency conflict detection)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class ServerDeps:
    """Resources a server holds for its lifetime."""

    settings: Settings
    pool: Pool


@asynccontextmanager
async def database_lifespan(server: FastMCP[Any]) -> AsyncIterator[ServerDeps]:
    """Open the runtime-role pool for the server's life (RLS applies to every query)."""
    settings = Settings()
    endpoints = await server_endpoints(settings, server.name)
    pool = await open_pool(endpoints.pg_app, max_size=5)
    try:
        yield ServerDeps(settings=settings, pool=pool)
    finally:
        await pool.close()


def deps(ctx: Context[Any, Any, Any]) -> ServerDeps:
    """The lifespan resources of the running server."""
    return ctx.request_context.lifespan_context


def serve(server: FastMCP[Any], argv: list[str] | None = None) -> None:
    """Run a server standalone: `python -m servers.<name> [--transport stdio|streamable-http]`."""
    parser = argparse.ArgumentParser(description=server.instructions or server.name)
    parser.add_argument("--transport", choices=["stdio", "streamable-http"], default="stdio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.transport == "stdio":
        try:
            server.run("stdio")
        except BaseException as exc:
            exit_on_bootstrap_failure(exc)
            raise
        return
    import socket

    port = args.port
    if port == 0:
        with socket.socket() as sock:
            sock.bind((args.host, 0))
            port = sock.getsockname()[1]
    server.settings.host = args.host
    server.settings.port = port
    protect(server, load_tokens(Settings()), f"http://{args.host}:{port}/mcp")
    print(f"serving {server.name} on http://{args.host}:{port}/mcp", flush=True)
    server.run("streamable-http")
