"""The multimodal skill on the embedded default, through the real media server.

Proves specs/functional.md §11.1, §11.2 and specs/technical.md §13.5: caption, on-model image and
tier video within budget, cheaper fallbacks recorded, the character reference required.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from chimera.platform.settings import Settings
from chimera.resources import Services
from skills.multimodal_content_generation import (
    ContentRequestError,
    agenerate_multimodal_content,
    generate_multimodal_content,
)
from tests.support.mcp import WHO_XYZ


def brief(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tenant_id": "tenant-xyz",
        "agent_id": "agent-ethiopia-fashion-001",
        "campaign_id": "cmp-summer-ethiopia-2026",
        "creative_brief": {
            "goal": "Promote Ethiopian summer streetwear drop on TikTok.",
            "tone": ["witty", "aspirational"],
            "key_messages": ["Local designers", "Sustainable fabrics", "Streetwear aesthetic"],
            "cta": "Follow for daily Addis street looks.",
        },
        "persona_constraints": {"forbidden_topics": ["politics", "explicit content"]},
        "character_reference_id": "chimera-ethiopia-001",
        "platform": "tiktok",
        "tier": "daily",
        "budget_hint": {"max_generation_cost_usd": 5.0},
    }
    data.update(over)
    return data


async def asset(svc: Services, url: str) -> dict[str, Any]:
    return dict(await svc.host.read_resource("media", url, who=WHO_XYZ))


async def test_the_daily_tier_returns_caption_image_and_a_clip_of_that_image(svc: Services) -> None:
    """specs/functional.md §11.1; specs/technical.md §13.5"""
    out = await agenerate_multimodal_content(svc, **brief())
    caption, image, video = (out["assets"][k] for k in ("caption", "image", "video"))
    assert "#AIcreator" in caption["text"] and len(caption["text"]) <= 2200
    assert image["character_reference_id"] == "chimera-ethiopia-001"
    assert video["tier"] == "daily"
    clip = await asset(svc, video["url"])
    assert clip["source_asset_id"] == image["asset_id"]
    data = await asyncio.to_thread(Path(clip["path"]).read_bytes)
    with Image.open(io.BytesIO(data)) as gif:
        assert gif.n_frames > 1
    meta = out["generation_metadata"]
    assert meta["fallbacks"] == [] and meta["approx_cost_usd"] <= 5.0
    assert meta["image_model"] and meta["video_model"]


async def test_an_over_budget_hero_request_falls_back_to_daily_and_says_so(svc: Services) -> None:
    """specs/functional.md §11.2"""
    out = await agenerate_multimodal_content(
        svc, **brief(tier="hero", budget_hint={"max_generation_cost_usd": 2.0})
    )
    meta = out["generation_metadata"]
    assert meta["requested_tier"] == "hero" and meta["tier"] == "daily"
    assert len(meta["fallbacks"]) == 1 and "over the 2.00 USD budget" in meta["fallbacks"][0]
    assert out["assets"]["video"]["tier"] == "daily"
    assert meta["approx_cost_usd"] <= 2.0


async def test_a_tiny_budget_leaves_only_the_caption(svc: Services) -> None:
    """specs/functional.md §11.2"""
    out = await agenerate_multimodal_content(
        svc, **brief(budget_hint={"max_generation_cost_usd": 0.1})
    )
    assert set(out["assets"]) == {"caption"}
    assert len(out["generation_metadata"]["fallbacks"]) == 2
    assert out["generation_metadata"]["approx_cost_usd"] == 0.0


async def test_a_hero_request_within_budget_renders_a_text_to_video_clip(svc: Services) -> None:
    """specs/functional.md §11.1"""
    out = await agenerate_multimodal_content(svc, **brief(tier="hero"))
    assert out["assets"]["video"]["tier"] == "hero"
    assert out["assets"]["video"]["mcp_tool"] == "media.generate_video_from_text"


async def test_the_same_request_renders_once(svc: Services) -> None:
    """specs/technical.md §13.5"""
    first = await agenerate_multimodal_content(svc, **brief())
    again = await agenerate_multimodal_content(svc, **brief())
    assert again["assets"]["image"] == first["assets"]["image"]


@pytest.mark.parametrize(
    "bad",
    [
        {"character_reference_id": None},
        {"character_reference_id": "someone-else-007"},
        {"tier": "epic"},
        {"budget_hint": {"max_generation_cost_usd": -1}},
        {"creative_brief": {"goal": "Tell people who to vote for in the election"}},
    ],
)
async def test_bad_requests_are_refused(svc: Services, bad: dict[str, Any]) -> None:
    """specs/functional.md §11.1"""
    data = brief(**bad)
    if data["character_reference_id"] is None:
        del data["character_reference_id"]
    with pytest.raises(ContentRequestError):
        await agenerate_multimodal_content(svc, **data)


def test_the_sync_entry_works_with_no_configuration(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """specs/functional.md §11.1"""
    monkeypatch.setenv("CHIMERA_HOME", str(settings.home))
    out = generate_multimodal_content(**brief())
    assert {"caption", "image", "video"} <= set(out["assets"])
    assert out["campaign_id"] == "cmp-summer-ethiopia-2026"
