# ruff: noqa: F811  (pytest fixtures imported from tests.support.xfixtures are re-bound as arguments)
"""A whole campaign publishing through the X backend: real stdio MCP servers, replayed X over HTTP.

See specs/functional.md §4.4 and §4.5, specs/technical.md §14.1 and §14.3. Only the social
server's configuration changes (`CHIMERA_SOCIAL_BACKEND=x`, `CHIMERA_X_API_BASE` pointing at a
replay on a free 127.0.0.1 port): the graph, nodes and host are the ones every campaign uses.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from chimera.platform.db import tenant_tx
from chimera.platform.settings import Settings
from chimera.resources import Services, open_services
from chimera.runs.runner import run_campaign
from tests.conftest import LAGOS
from tests.support.waiting import eventually
from tests.support.xfixtures import ABC, forget_x_state, replay  # noqa: F401
from tests.support.xreplay import CREDS, XReplay, mention
from tests.support.xtransport import serve

MENTIONS = [
    mention(1, "Which budget 5G phone actually gets 5G in Yaba?"),
    mention(2, "That power bank review was legit, omo."),
    mention(3, "Is the new earbuds battery a beast or not?"),
]


@pytest.fixture
async def x_services(
    settings: Settings, replay: XReplay, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Services]:
    """Services whose social server speaks to the replay through the X backend."""
    replay.mentions = list(MENTIONS)
    with serve(replay) as base:
        for name, value in {
            "CHIMERA_SOCIAL_BACKEND": "x",
            "CHIMERA_X_API_BASE": base,
            "CHIMERA_X_CONSUMER_KEY": CREDS.consumer_key,
            "CHIMERA_X_CONSUMER_SECRET": CREDS.consumer_secret,
            "CHIMERA_X_ACCESS_TOKEN": CREDS.token,
            "CHIMERA_X_ACCESS_TOKEN_SECRET": CREDS.token_secret,
            "CHIMERA_X_DEFAULT_TENANTS": ABC,
            "CHIMERA_X_OUTBOX_POLL_S": "0.2",
        }.items():
            monkeypatch.setenv(name, value)
        async with open_services(settings) as services:
            await forget_x_state(services, ABC)
            yield services
            await forget_x_state(services, ABC)


async def _x_rows(svc: Services, campaign_id: str) -> list[dict[str, object]]:
    async with tenant_tx(svc.pool, ABC) as conn:
        rows = await (
            await conn.execute(
                "SELECT post_id, platform, status, external_id, reply_to_id FROM social_posts"
                " WHERE tracking->>'campaign_id' = %s AND platform = 'twitter'",
                (campaign_id,),
            )
        ).fetchall()
    return [dict(r) for r in rows]


async def _outbox(svc: Services) -> list[dict[str, object]]:
    """The tenant's outbox rows, to say why a deferred post did not go out."""
    async with tenant_tx(svc.pool, ABC) as conn:
        cur = await conn.execute(
            "SELECT idempotency_key, status, due_at, attempts, last_error FROM social_x_outbox"
        )
        return [dict(r) for r in await cur.fetchall()]


async def test_the_same_campaign_publishes_its_x_posts_and_replies_through_the_x_api(
    x_services: Services, replay: XReplay, goal: str
) -> None:
    """specs/functional.md §4.4, specs/technical.md §14.1"""
    summary = await run_campaign(x_services, agent_id=LAGOS, goal=goal)
    assert summary.state in {"done", "paused"}
    rows = await _x_rows(x_services, summary.campaign_id)
    assert rows and all(r["status"] == "published" for r in rows)
    assert {r["external_id"] for r in rows} == {p["id"] for p in replay.posts}
    assert all("#AIcreator" in p["text"] for p in replay.posts)
    replied = {p["reply"]["in_reply_to_tweet_id"] for p in replay.posts if "reply" in p}
    assert replied and replied <= {m["id"] for m in MENTIONS}
    published = {p["post_id"] for p in summary.published if p["platform"] == "twitter"}
    assert published == {r["post_id"] for r in rows}
    assert all(r.headers["authorization"].startswith("OAuth ") for r in replay.requests)


async def test_an_exhausted_window_defers_the_campaign_posts_and_publishes_them_after_reset(
    x_services: Services, replay: XReplay, goal: str
) -> None:
    """specs/functional.md §4.5, specs/technical.md §14.3"""
    replay.limits["POST /2/tweets"] = 0
    replay.reset_in = 2.0
    summary = await run_campaign(x_services, agent_id=LAGOS, goal=goal)
    assert summary.state in {"done", "paused"}
    assert not [r for r in summary.rejected if "rate" in str(r).lower()]
    rows = await _x_rows(x_services, summary.campaign_id)
    assert rows and replay.posts == []
    assert all(r["status"] == "scheduled" for r in rows)
    print("ROWS", rows)
    print("OUTBOX", await _outbox(x_services))
    replay.limits.clear()
    published = await asyncio.to_thread(replay.wait_for, lambda r: len(r.posts) == len(rows), 30)
    assert published, (
        "the outbox did not publish the deferred posts after the reset:"
        f" outbox={await _outbox(x_services)}"
        f" x={[(r.method, r.path) for r in replay.requests[-12:]]}"
    )

    async def all_published() -> bool:
        return all(
            r["status"] == "published" for r in await _x_rows(x_services, summary.campaign_id)
        )

    await eventually(all_published, 10, "the posts to be marked published")
