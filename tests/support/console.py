"""Console test helpers: an in-process signed-in client, operators, scheduled posts, an economy.

Seeds go through the domain code where one exists (`reviewers.add_user`, `calendar.schedule`);
posts, media and engagement snapshots are rows as the social and media servers store them, and
token usage is a priced `llm_usage` row, as in `tests/integration/test_pnl.py`.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal

import httpx
from psycopg.types.json import Jsonb

from chimera.control import calendar, reviewers
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.serving.console.app import create_app
from state.records import RunRef
from tests.support.builders import persona

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@asynccontextmanager
async def console_client(
    svc: Services, keys: dict[str, str], key: str | None
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A client of the console over `svc` (with `keys`), signed in with `key`; its CSRF token."""
    keyed = dataclasses.replace(svc, settings=svc.settings.model_copy(update={"api_keys": keys}))

    async def services() -> Services:
        return keyed

    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
        page = await client.get("/console/signin")
        match = CSRF.search(page.text)
        assert match
        if key is None:
            yield client, match[1]
            return
        done = await client.post("/console/signin", data={"csrf": match[1], "api_key": key})
        assert done.status_code == 303
        queue = await client.get("/console/reviews")
        fresh = CSRF.search(queue.text)
        assert fresh and fresh[1] != match[1], "signing in issues a new CSRF token"
        yield client, fresh[1]


async def add_operator(svc: Services, tenant_id: str, email: str) -> None:
    """Make `email` a network operator of the tenant."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        await reviewers.add_user(conn, tenant_id, email, "network_operator")


async def scheduled_post(svc: Services, agent_id: str, at: datetime, tenant_id: str) -> str:
    """A post of `agent_id` deferred to `at` through `calendar.schedule`; its calendar id."""
    tag = uuid.uuid4().hex[:8]
    run = RunRef(
        tenant_id=tenant_id,
        agent_id=agent_id,
        campaign_id=f"cmp-cal-{tag}",
        thread_id=f"thread-cal-{tag}",
        state_version=1,
    )
    args = {"platform": "tiktok", "content": {"text": f"Scheduled drop {tag} #AIcreator"}}
    async with tenant_tx(svc.pool, tenant_id) as conn:
        who = persona().model_copy(update={"agent_id": agent_id, "tenant_id": tenant_id})
        gate = calendar.PublishGate(persona=who)
        return await calendar.schedule(
            conn, run, f"task-{tag}", f"key-{tag}", args, kind="post", at=at, gate=gate
        )


async def published_post(
    svc: Services, tenant_id: str, agent_id: str, campaign_id: str, views: int, cost: str
) -> None:
    """A published post of the campaign: a media asset and a token-usage row costing `cost` each.

    The post has two engagement snapshots; only the newest (`views`) counts.
    """
    asset, post = f"media-{uuid.uuid4().hex[:10]}", f"post-{uuid.uuid4().hex[:10]}"
    async with tenant_tx(svc.pool, tenant_id) as conn:
        await conn.execute(
            "INSERT INTO media_assets (asset_id, tenant_id, agent_id, kind, tool, model, path,"
            " mime_type, bytes, width, height, estimated_cost_usd, idempotency_key,"
            " payload_hash) VALUES (%s, %s, %s, 'image', 'generate_image', 'pillow', 'x.png',"
            " 'image/png', 1, 1, 1, %s, %s, 'h')",
            (asset, tenant_id, agent_id, Decimal(cost), f"media:{asset}"),
        )
        await conn.execute(
            "INSERT INTO social_posts (post_id, tenant_id, agent_id, platform, text, media_ids,"
            " disclosure, scheduling, tracking, status, published_at) VALUES (%s, %s, %s,"
            " 'tiktok', 't', %s, '{}', '{}', %s, 'published', now())",
            (post, tenant_id, agent_id, [asset], Jsonb({"campaign_id": campaign_id})),
        )
        for age, seen in ((1, views // 2), (24, views)):
            await conn.execute(
                "INSERT INTO social_engagement (tenant_id, post_id, agent_id, age_hours, views,"
                " likes, comments, shares, engagement_rate) VALUES (%s, %s, %s, %s, %s, %s,"
                " %s, %s, 0.1)",
                (tenant_id, post, agent_id, age, seen, seen // 10, seen // 100, seen // 100),
            )
        await conn.execute(
            "INSERT INTO llm_usage (tenant_id, agent_id, campaign_id, thread_id, task_id, role,"
            " model, prompt_version, calls, input_tokens, output_tokens, cost_usd)"
            " VALUES (%s, %s, %s, 't', 'plan', 'planner', 'm', 'v1', 1, 1000, 100, %s)",
            (tenant_id, agent_id, campaign_id, Decimal(cost)),
        )
