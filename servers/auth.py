"""Who may call a Chimera MCP server over streamable HTTP (the MCP authorization spec).

Over HTTP every request carries `Authorization: Bearer <token>`; the SDK's bearer middleware
refuses a request without a valid token (401) before any tool runs, and the verified token, not
the request's `tenant_id` or `_meta`, says which tenants the caller may act for. A tenant token
acts for its one tenant; the host token for the tenants it lists (the runtime acting for their
runs); only an operator token may call operator tools. Stdio servers are the host's own child
processes and keep process trust. See specs/security.md §1.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from pydantic import AnyHttpUrl

from chimera.platform.db import Pool, tenant_tx
from chimera.platform.mcp_tokens import ANY_TENANT, Principal

_REQUIRED = {"token": False}
"""Set when this process serves HTTP: a call without a verified token then fails closed."""


class Forbidden(ToolError):
    """The verified caller may not do this (wrong tenant, not an operator, no token)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"[forbidden] {message}")


class AgentNotFound(ToolError):
    """The agent is not the caller's tenant's (same answer as a missing one)."""

    def __init__(self, agent_id: str) -> None:
        super().__init__(f"[not_found] agent {agent_id!r} not found")


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class BearerVerifier(TokenVerifier):
    """The SDK token verifier over the configured static tokens (constant-time compare)."""

    def __init__(self, principals: list[Principal]) -> None:
        self._known = [(_digest(p.token), p) for p in principals]

    async def verify_token(self, token: str) -> AccessToken | None:
        """The principal of `token`, or None (the middleware then answers 401)."""
        digest = _digest(token)
        match = None
        for known, principal in self._known:
            if hmac.compare_digest(known, digest):
                match = principal
        if match is None:
            return None
        return AccessToken(
            token=digest.hex(),
            client_id=match.name,
            scopes=[match.role],
            claims={"tenants": sorted(match.tenants)},
        )


def protect(server: FastMCP[Any], principals: list[Principal], url: str) -> None:
    """Require a bearer token on every HTTP request to `server` (call before serving it)."""
    server.settings.auth = AuthSettings(
        issuer_url=AnyHttpUrl(url),
        resource_server_url=AnyHttpUrl(url),
        validate_token_resource=False,
    )
    server._token_verifier = BearerVerifier(principals)
    _REQUIRED["token"] = True


def _token() -> AccessToken | None:
    token = get_access_token()
    if token is None and _REQUIRED["token"]:
        raise Forbidden("a bearer token is required")
    return token


def remote_tenant(payload_tenant: str | None, meta_tenant: str | None) -> str | None:
    """The tenant a verified HTTP caller acts for; None over stdio (process trust).

    Raises:
        Forbidden: no token over HTTP, or the token does not cover the claimed tenant.

    """
    token = _token()
    if token is None:
        return None
    if payload_tenant and meta_tenant and payload_tenant != meta_tenant:
        raise Forbidden("tenant_id of the payload does not match the caller's tenant")
    tenants = list((token.claims or {}).get("tenants", []))
    claimed = payload_tenant or meta_tenant
    if token.scopes == ["tenant"]:
        own = str(tenants[0])
        if claimed and claimed != own:
            raise Forbidden("this token does not act for that tenant")
        return own
    if not claimed:
        raise Forbidden("tenant_id is required")
    if ANY_TENANT not in tenants and claimed not in tenants:
        raise Forbidden("this token does not act for that tenant")
    return claimed


def require_operator() -> None:
    """Refuse an operator tool to any HTTP caller without an operator token.

    Raises:
        Forbidden: the caller is remote and not an operator.

    """
    token = _token()
    if token is not None and token.scopes != ["operator"]:
        raise Forbidden("this tool needs an operator token")


def may_set_caps() -> bool:
    """True when the caller may seed a campaign's budget row (stdio, host or operator).

    A tenant token never sets caps: it spends within the server's stored budget rows.
    """
    token = _token()
    return token is None or token.scopes != ["tenant"]


async def check_agent(pool: Pool, tenant_id: str, agent_id: str) -> None:
    """Refuse a remote caller naming an agent its tenant does not own.

    Raises:
        AgentNotFound: the agent is not registered under `tenant_id`.

    """
    if _token() is None:
        return
    async with tenant_tx(pool, tenant_id) as conn:
        found = await conn.execute("SELECT 1 FROM agents WHERE id = %s", (agent_id,))
        row = await found.fetchone()
    if row is None:
        raise AgentNotFound(agent_id)
