"""Fixtures for the X backend tests: an `XBackend` wired to a replay, per-test tenants.

See specs/technical.md §14.1. Redis buckets and X mentions live in the session's shared
services, so each fixture removes what its test left behind.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from chimera.platform.db import tenant_tx
from chimera.platform.settings import Settings
from chimera.resources import Services
from servers.social.backend import x_http_client
from servers.social.xaccounts import accounts_from
from servers.social.xbackend import XBackend
from tests.support.xreplay import BEARER, CREDS, XReplay
from tests.support.xtransport import mock_transport

ABC = "tenant-abc"


def x_settings(base: Settings, **over: Any) -> Settings:
    """Settings selecting the X backend with the replay's OAuth 1.0a credentials (for ABC)."""
    values: dict[str, Any] = {
        "home": base.home,
        "social_backend": "x",
        "x_api_base": "http://x.test",
        "x_consumer_key": CREDS.consumer_key,
        "x_consumer_secret": CREDS.consumer_secret,
        "x_access_token": CREDS.token,
        "x_access_token_secret": CREDS.token_secret,
        "x_default_tenants": [ABC],
        **over,
    }
    return Settings(**values)


async def forget_x_state(svc: Services, tenant_id: str) -> None:
    """Delete a tenant's X buckets, caches and X mentions."""
    async for key in svc.redis.scan_iter(match=f"chimera:{tenant_id}:x:*"):
        await svc.redis.delete(key)
    async with tenant_tx(svc.pool, tenant_id) as conn:
        await conn.execute("DELETE FROM social_mentions WHERE source = 'x'")


@pytest.fixture
def replay() -> XReplay:
    """A fresh fake X."""
    return XReplay()


@pytest.fixture
async def tenant(svc: Services) -> AsyncIterator[str]:
    """A tenant of its own (rate-limit buckets and keys start empty)."""
    name = f"tenant-x-{uuid.uuid4().hex[:8]}"
    yield name
    await forget_x_state(svc, name)


@pytest.fixture
async def make_x(
    svc: Services, settings: Settings, replay: XReplay, tenant: str
) -> AsyncIterator[Callable[..., XBackend]]:
    """Build `XBackend`s over the replay (`bearer=True` for OAuth 2.0, settings overrides).

    The env credential set serves ABC, `tenant-xyz`, the test's own `tenant` and `<tenant>-b`.
    """
    clients = []

    def build(bearer: bool = False, **over: Any) -> XBackend:
        if bearer:
            over |= {"x_consumer_key": None, "x_bearer_token": BEARER}
        over.setdefault("x_default_tenants", [ABC, "tenant-xyz", tenant, f"{tenant}-b"])
        conf = x_settings(settings, **over)
        client = x_http_client(conf, transport=mock_transport(replay))
        clients.append(client)
        return XBackend(conf, svc.pool, svc.redis, client, accounts_from(conf))

    yield build
    for client in clients:
        await client.aclose()
    await forget_x_state(svc, ABC)


def tweet(agent_id: str, text: str, **over: Any) -> dict[str, Any]:
    """A post as the server hands it to a backend."""
    return {
        "platform": "twitter",
        "agent_id": agent_id,
        "text": text,
        "media_ids": [],
        "reply_to_id": None,
        "disclosure": {"ai_generated": True, "sponsor": None, "compliance_tags": []},
        "scheduling": {"mode": "immediate", "publish_at": None},
        "tracking": {"campaign_id": "cmp-x-tests", "task_id": "task-1"},
        **over,
    }
