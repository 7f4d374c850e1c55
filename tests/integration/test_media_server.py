"""The media MCP server through the real host over stdio.

Proves specs/technical.md §13.4 and specs/functional.md §11.1: real PNG and GIF files, the
character reference required and embedded, idempotent generation, tenant-private assets.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from chimera.mcp.errors import InvalidToolArguments, ToolConflict, ToolNotFound
from chimera.resources import Services
from tests.conftest import ETHIOPIA, LAGOS
from tests.support.mcp import WHO_ABC, WHO_XYZ, XYZ, new_key


async def read(path: str) -> bytes:
    return await asyncio.to_thread(Path(path).read_bytes)


def image_args(key: str, **over: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "tenant_id": XYZ,
        "agent_id": ETHIOPIA,
        "prompt": "Summer streetwear drop in Addis #AIcreator",
        "character_reference_id": "chimera-ethiopia-001",
        "palette": ["#0B6E4F", "#F2C14E", "#D1495B", "#FFFFFF"],
        "style_hints": ["streetwear", "sunlit"],
        "idempotency_key": key,
    }
    args.update(over)
    return args


async def test_generate_image_writes_a_real_png_marked_with_the_character_reference(
    svc: Services,
) -> None:
    """specs/functional.md §11.1; specs/technical.md §13.4"""
    out = await svc.host.call_tool("media", "generate_image", image_args(new_key()), who=WHO_XYZ)
    path = Path(out["path"])
    assert path.parent == svc.settings.home / "media" / XYZ
    data = await read(out["path"])
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) == out["bytes"]
    with Image.open(io.BytesIO(data)) as png:
        assert png.format == "PNG" and png.size == (out["width"], out["height"])
        assert png.info["character_reference_id"] == "chimera-ethiopia-001"
        assert png.getpixel((10, 10)) != png.getpixel((10, 590))
    assert out["url"] == f"media://{out['asset_id']}" and out["asset_id"].startswith("img-")
    assert out["estimated_cost_usd"] == 0.25 and out["duplicate"] is False


async def test_generate_image_without_a_character_reference_is_refused(svc: Services) -> None:
    """specs/functional.md §11.1"""
    args = image_args(new_key())
    del args["character_reference_id"]
    with pytest.raises(InvalidToolArguments, match="character_reference_id"):
        await svc.host.call_tool("media", "generate_image", args, who=WHO_XYZ)
    with pytest.raises(InvalidToolArguments):
        await svc.host.call_tool(
            "media", "generate_image", image_args(new_key(), character_reference_id=""), who=WHO_XYZ
        )


async def test_a_repeated_key_returns_the_same_asset_and_a_changed_payload_conflicts(
    svc: Services,
) -> None:
    """specs/technical.md §13.4"""
    key = new_key()
    first = await svc.host.call_tool("media", "generate_image", image_args(key), who=WHO_XYZ)
    again = await svc.host.call_tool("media", "generate_image", image_args(key), who=WHO_XYZ)
    assert again["asset_id"] == first["asset_id"] and again["duplicate"] is True
    with pytest.raises(ToolConflict):
        await svc.host.call_tool(
            "media", "generate_image", image_args(key, prompt="Other"), who=WHO_XYZ
        )


async def test_the_daily_tier_animates_the_image_into_a_clip(svc: Services) -> None:
    """specs/functional.md §11.1; specs/technical.md §13.4"""
    image = await svc.host.call_tool("media", "generate_image", image_args(new_key()), who=WHO_XYZ)
    clip = await svc.host.call_tool(
        "media",
        "generate_video_from_image",
        {
            "tenant_id": XYZ,
            "agent_id": ETHIOPIA,
            "image_asset_id": image["asset_id"],
            "idempotency_key": new_key(),
        },
        who=WHO_XYZ,
    )
    assert clip["tier"] == "daily" and clip["source_asset_id"] == image["asset_id"]
    assert clip["character_reference_id"] == "chimera-ethiopia-001"
    with Image.open(io.BytesIO(await read(clip["path"]))) as gif:
        assert gif.format == "GIF" and gif.n_frames == clip["frames"] > 1


async def test_the_hero_tier_renders_a_clip_from_a_script(svc: Services) -> None:
    """specs/technical.md §13.4"""
    clip = await svc.host.call_tool(
        "media",
        "generate_video_from_text",
        {
            "tenant_id": XYZ,
            "agent_id": ETHIOPIA,
            "script": "Addis summer. Local designers.",
            "character_reference_id": "chimera-ethiopia-001",
            "idempotency_key": new_key(),
        },
        who=WHO_XYZ,
    )
    assert clip["tier"] == "hero" and clip["estimated_cost_usd"] == 4.0
    with Image.open(io.BytesIO(await read(clip["path"]))) as gif:
        assert gif.n_frames > 1


async def test_assets_are_addressable_only_by_their_tenant(svc: Services) -> None:
    """specs/technical.md §13.4"""
    image = await svc.host.call_tool("media", "generate_image", image_args(new_key()), who=WHO_XYZ)
    read = await svc.host.read_resource("media", image["url"], who=WHO_XYZ)
    assert read["path"] == image["path"] and read["mime_type"] == "image/png"
    with pytest.raises(ToolNotFound):
        await svc.host.read_resource("media", image["url"], who=WHO_ABC)
    with pytest.raises(ToolNotFound):
        await svc.host.call_tool(
            "media",
            "generate_video_from_image",
            {
                "tenant_id": "tenant-abc",
                "agent_id": LAGOS,
                "image_asset_id": image["asset_id"],
                "idempotency_key": new_key(),
            },
            who=WHO_ABC,
        )


async def test_the_price_list_is_a_resource(svc: Services) -> None:
    """specs/technical.md §13.4"""
    prices = await svc.host.read_resource("media", "media://pricing", who=WHO_XYZ)
    assert prices["prices"]["generate_image"] < prices["prices"]["generate_video_from_text"]
