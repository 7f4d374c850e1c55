"""The social server's backend interface, its sandbox implementation, and the routing between them.

`CHIMERA_SOCIAL_BACKEND=x` sends the X platforms (`CHIMERA_X_PLATFORMS`, default `twitter`, `x`)
and the mentions resource to the X API v2; every other platform stays on the sandbox. The graph
never knows which backend answered: results have the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from chimera.db import Pool, tenant_tx
from chimera.settings import Settings
from servers.social import sandbox
from servers.social.errors import InvalidArgument, NotFound
from servers.social.xauth import Bearer, OAuth1, OAuth1Credentials


class SocialBackend(Protocol):
    """What a social platform must do for the server's tools and resources."""

    name: str

    async def publish(
        self, tenant_id: str, key: str, tool: str, post: dict[str, Any]
    ) -> dict[str, Any]:
        """Publish once per `(tenant_id, key)`; a repeat returns the first result."""
        ...

    async def recent_mentions(
        self, tenant_id: str, agent_id: str, limit: int = 20
    ) -> list[dict[str, Any]]:
        """Mentions of the agent, newest first."""
        ...

    async def profile(self, tenant_id: str, user_id: str) -> dict[str, Any]:
        """A user's public profile."""
        ...


@dataclass
class SandboxBackend:
    """The sandbox platform in Postgres (see `servers.social.sandbox`)."""

    pool: Pool
    latency_s: float = 0.0
    name: str = "sandbox"

    async def publish(
        self, tenant_id: str, key: str, tool: str, post: dict[str, Any]
    ) -> dict[str, Any]:
        """Publish on the sandbox (with the configured simulated latency for `post_content`)."""
        latency = self.latency_s if tool == "post_content" else 0.0
        return await sandbox.publish(self.pool, tenant_id, key, tool, post, latency_s=latency)

    async def recent_mentions(
        self, tenant_id: str, agent_id: str, limit: int = 20
    ) -> list[dict[str, Any]]:
        """The sandbox's mentions (bundled samples seeded on first read)."""
        return await sandbox.recent_mentions(self.pool, tenant_id, agent_id, limit)

    async def profile(self, tenant_id: str, user_id: str) -> dict[str, Any]:
        """A sandbox user is an agent of the tenant (`me` is not meaningful here)."""
        async with tenant_tx(self.pool, tenant_id) as conn:
            row = await (
                await conn.execute("SELECT id, name FROM agents WHERE id = %s", (user_id,))
            ).fetchone()
        if row is None:
            raise NotFound(f"user {user_id!r} not found")
        return {"id": row["id"], "name": row["name"], "username": row["id"]}


@dataclass
class Backends:
    """Which backend serves which platform."""

    sandbox: SocialBackend
    x: SocialBackend | None
    x_platforms: frozenset[str]

    def for_platform(self, platform: str) -> SocialBackend:
        """The backend that publishes on `platform`."""
        if self.x is not None and platform in self.x_platforms:
            return self.x
        return self.sandbox

    @property
    def mentions(self) -> SocialBackend:
        """The backend behind `twitter://mentions/recent` and profiles."""
        return self.x or self.sandbox


def x_auth(settings: Settings) -> httpx.Auth:
    """OAuth 1.0a user tokens if all four are set, else the OAuth 2.0 bearer token.

    Raises:
        InvalidArgument: neither credential set is configured.

    """
    parts = (
        settings.x_consumer_key,
        settings.x_consumer_secret,
        settings.x_access_token,
        settings.x_access_token_secret,
    )
    if all(p is not None for p in parts):
        values = [p.get_secret_value() for p in parts if p is not None]
        return OAuth1(OAuth1Credentials(*values))
    if settings.x_bearer_token is not None:
        return Bearer(settings.x_bearer_token.get_secret_value())
    raise InvalidArgument(
        "CHIMERA_SOCIAL_BACKEND=x needs CHIMERA_X_BEARER_TOKEN or the four OAuth 1.0a settings"
        " (CHIMERA_X_CONSUMER_KEY, _CONSUMER_SECRET, _ACCESS_TOKEN, _ACCESS_TOKEN_SECRET)"
    )


def x_http_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The HTTP client of the X backend (base URL, auth, timeout; `transport` for tests)."""
    return httpx.AsyncClient(
        base_url=settings.x_api_base,
        auth=x_auth(settings),
        timeout=settings.x_timeout_s,
        transport=transport,
        headers={"User-Agent": "chimera-social/1"},
    )
