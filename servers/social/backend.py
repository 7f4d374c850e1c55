"""The social server's backend interface, its sandbox implementation, and the routing between them.

`CHIMERA_SOCIAL_BACKEND=x` sends the X platforms (`CHIMERA_X_PLATFORMS`, default `twitter`, `x`)
and the mentions resource to the X API v2; every other platform stays on the sandbox. The graph
never knows which backend answered: results have the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from chimera.platform.db import Pool, tenant_tx
from chimera.platform.settings import Settings
from servers.social import sandbox, sandbox_outbox
from servers.social.errors import NotFound


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

    async def profile(
        self, tenant_id: str, user_id: str, agent_id: str | None = None
    ) -> dict[str, Any]:
        """A user's public profile (`agent_id`: whose account `me` is, where that matters)."""
        ...


@dataclass
class SandboxBackend:
    """The sandbox platform in Postgres (see `servers.social.sandbox`)."""

    pool: Pool
    latency_s: float = 0.0
    name: str = "sandbox"
    redis: Any = None
    """Where scheduled posts are indexed for the outbox (None: not indexed)."""

    async def publish(
        self, tenant_id: str, key: str, tool: str, post: dict[str, Any]
    ) -> dict[str, Any]:
        """Publish on the sandbox (with the configured simulated latency for `post_content`)."""
        latency = self.latency_s if tool == "post_content" else 0.0
        result = await sandbox.publish(self.pool, tenant_id, key, tool, post, latency_s=latency)
        if result["status"] == "scheduled" and self.redis is not None:
            await sandbox_outbox.mark(
                self.redis, tenant_id, result["post_id"], result["publish_at"]
            )
        return result

    async def recent_mentions(
        self, tenant_id: str, agent_id: str, limit: int = 20
    ) -> list[dict[str, Any]]:
        """The sandbox's mentions (bundled samples seeded on first read)."""
        return await sandbox.recent_mentions(self.pool, tenant_id, agent_id, limit)

    async def profile(
        self, tenant_id: str, user_id: str, agent_id: str | None = None
    ) -> dict[str, Any]:
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


def x_http_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The pooled HTTP client of the X backend (base URL, timeout; `transport` for tests).

    It carries no auth: each request is signed as its tenant's account (`servers.social.xaccounts`).
    """
    return httpx.AsyncClient(
        base_url=settings.x_api_base,
        timeout=settings.x_timeout_s,
        transport=transport,
        headers={"User-Agent": "chimera-social/1"},
    )
