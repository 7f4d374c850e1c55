"""A campaign on the embedded default publishes posts with rendered media attached.

Proves specs/functional.md §11.3, §11.1 and specs/technical.md §13.5: each published post carries
a real PNG in the persona's identity, the daily tier adds a clip of that image, and the judge
rejects media that is not on-model.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from PIL import Image

from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs.runner import run_campaign
from state.context import Context
from tests.conftest import ETHIOPIA


async def posts_with_media(svc: Services, campaign_id: str) -> list[dict[str, Any]]:
    async with tenant_tx(svc.pool, "tenant-xyz") as conn:
        rows = await (
            await conn.execute(
                "SELECT p.post_id, p.media_ids, p.reply_to_id FROM social_posts p"
                " WHERE p.tracking->>'campaign_id' = %s",
                (campaign_id,),
            )
        ).fetchall()
        assets = await (
            await conn.execute(
                "SELECT asset_id, kind, tier, path, mime_type, source_asset_id,"
                " character_reference_id FROM media_assets WHERE asset_id = ANY(%s)",
                ([m for r in rows for m in r["media_ids"]],),
            )
        ).fetchall()
    by_id = {a["asset_id"]: dict(a) for a in assets}
    return [{**r, "assets": [by_id[m] for m in r["media_ids"]]} for r in rows]


async def test_a_campaign_publishes_posts_with_a_real_png_and_a_clip_of_it(
    svc: Services, goal: str
) -> None:
    """specs/functional.md §11.3, §11.1"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    posts = [p for p in await posts_with_media(svc, summary.campaign_id) if not p["reply_to_id"]]
    assert len(posts) >= 2
    for post in posts:
        kinds = {a["kind"]: a for a in post["assets"]}
        image, clip = kinds["image"], kinds["video"]
        assert image["character_reference_id"] == "chimera-ethiopia-001"
        data = await asyncio.to_thread(Path(image["path"]).read_bytes)
        with Image.open(io.BytesIO(data)) as png:
            assert png.format == "PNG" and png.info["character_reference_id"]
        assert clip["tier"] == "daily" and clip["source_asset_id"] == image["asset_id"]
        gif = await asyncio.to_thread(Path(clip["path"]).read_bytes)
        assert gif[:6] == b"GIF89a"


async def test_a_tight_media_budget_publishes_image_only_posts(svc: Services, goal: str) -> None:
    """specs/functional.md §11.2"""
    summary = await run_campaign(
        svc, agent_id=ETHIOPIA, goal=goal, context=Context(media_budget_usd=0.5)
    )
    posts = [p for p in await posts_with_media(svc, summary.campaign_id) if not p["reply_to_id"]]
    assert posts and all([a["kind"] for a in p["assets"]] == ["image"] for p in posts)
