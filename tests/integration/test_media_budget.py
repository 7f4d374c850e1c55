"""A campaign's media budget: reserved before generation, a cheaper tier when it would not fit.

See specs/economics.md §5. Campaign runs render through the real media server; the holds and
the budget row are read back from the control plane.
"""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from chimera.control import media_budget
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs.runner import run_campaign
from tests.conftest import ETHIOPIA
from tests.integration.test_campaign_media import posts_with_media
from tests.support.governance import TENANT, campaign_with_policy


async def _holds(svc: Services, campaign_id: str) -> list[dict[str, object]]:
    async with tenant_tx(svc.pool, TENANT) as conn:
        rows = await (
            await conn.execute(
                "SELECT plan, estimated_usd, actual_usd, status FROM media_holds"
                " WHERE campaign_id = %s ORDER BY estimated_usd DESC",
                (campaign_id,),
            )
        ).fetchall()
    return [dict(r) for r in rows]


async def test_the_second_post_falls_back_to_an_image_when_the_campaign_budget_runs_low(
    svc: Services, goal: str
) -> None:
    """specs/economics.md §5.1, §5.2"""
    campaign_id = await campaign_with_policy(svc, goal, media_budget_usd=1.5)
    await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    posts = [p for p in await posts_with_media(svc, campaign_id) if not p["reply_to_id"]]
    kinds = sorted(sorted(a["kind"] for a in p["assets"]) for p in posts)
    assert kinds == [["image"], ["image", "video"]]  # 1.25 + 0.25 == 1.50
    holds = await _holds(svc, campaign_id)
    assert [(h["plan"], h["status"]) for h in holds] == [
        ("image + daily video", "settled"),
        ("image only", "settled"),
    ]
    assert all(h["actual_usd"] == h["estimated_usd"] for h in holds)
    async with tenant_tx(svc.pool, TENANT) as conn:
        assert await media_budget.remaining(conn, campaign_id) == Decimal("0")


async def test_a_zero_media_budget_refuses_media_and_posts_captions_only(
    svc: Services, goal: str
) -> None:
    """specs/economics.md §5.2"""
    campaign_id = await campaign_with_policy(svc, goal, media_budget_usd=0)
    await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    posts = [p for p in await posts_with_media(svc, campaign_id) if not p["reply_to_id"]]
    assert posts and all(p["media_ids"] == [] for p in posts)
    assert {h["plan"] for h in await _holds(svc, campaign_id)} == {"caption only"}


async def test_concurrent_reservations_never_commit_more_than_the_cap_and_a_seed_holds_once(
    svc: Services,
) -> None:
    """specs/economics.md §5.1"""
    campaign_id = f"cmp-media-{uuid.uuid4().hex[:8]}"
    options = [("image + daily video", Decimal("1.25")), ("caption only", Decimal("0"))]

    async def reserve(seed: str) -> str:
        async with tenant_tx(svc.pool, TENANT) as conn:
            hold = await media_budget.reserve(conn, campaign_id, seed, Decimal("5"), options)
        assert hold is not None
        return hold.plan

    plans = await asyncio.gather(*(reserve(f"seed-{campaign_id}-{i}") for i in range(20)))
    assert plans.count("image + daily video") == 4 and plans.count("caption only") == 16
    again = await reserve(f"seed-{campaign_id}-0")
    assert again == plans[0]  # the same seed gets its hold back, nothing new is reserved
    async with tenant_tx(svc.pool, TENANT) as conn:
        assert await media_budget.remaining(conn, campaign_id) == Decimal("0")
