"""The media MCP server: `generate_image`, `generate_video_from_image`, `generate_video_from_text`.

The default backend renders locally (Pillow: PNG images, animated GIF clips) and prices each call
like the hosted generators it stands in for, so budgets behave the same. Assets are stored per
tenant and addressable as `media://{asset_id}`; the price list is `media://pricing`.
"""

import asyncio
import json
from typing import Annotated, Any

from mcp.server.fastmcp import Context, FastMCP
from pydantic import Field

from servers.media import render, store
from servers.runtime import InvalidArgument, caller, database_lifespan, deps, serve

mcp = FastMCP(
    "media",
    instructions="Generate on-model images and short clips. Every call takes an idempotency key.",
    lifespan=database_lifespan,
    log_level="WARNING",
)

PRICES_USD = {
    "generate_image": 0.25,
    "generate_video_from_image": 1.0,
    "generate_video_from_text": 4.0,
}
"""Estimated cost per call, matching the order of magnitude of hosted image/video generators."""
MODELS = {
    "generate_image": "local-pillow-image-v1",
    "generate_video_from_image": "local-pillow-i2v-v1",
    "generate_video_from_text": "local-pillow-t2v-v1",
}
IdempotencyKey = Annotated[str, Field(min_length=8, max_length=200, pattern=r"^[A-Za-z0-9:_\-]+$")]
RefId = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
Hints = Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=10)]


def _meta(ctx: Context, tenant_id: str, agent_id: str, tool: str, key: str) -> dict[str, Any]:
    caller(ctx, tenant_id)
    if not agent_id:
        raise InvalidArgument("agent_id is required")
    return {
        "tenant_id": tenant_id,
        "agent_id": agent_id,
        "tool": tool,
        "idempotency_key": key,
        "model": MODELS[tool],
        "estimated_cost_usd": PRICES_USD[tool],
    }


@mcp.tool(description="Render an on-model image. character_reference_id is required (FR 3.1).")
async def generate_image(
    tenant_id: str,
    agent_id: str,
    prompt: Annotated[str, Field(min_length=1, max_length=2000)],
    character_reference_id: RefId,
    idempotency_key: IdempotencyKey,
    ctx: Context,
    palette: Annotated[list[Colour], Field(max_length=8)] | None = None,
    style_hints: Hints | None = None,
) -> dict[str, Any]:
    """Render a PNG in the palette with the prompt text and the character-reference mark."""
    meta = _meta(ctx, tenant_id, agent_id, "generate_image", idempotency_key)
    meta |= {"kind": "image", "character_reference_id": character_reference_id}
    args = {
        "prompt": prompt,
        "ref": character_reference_id,
        "palette": palette,
        "style": style_hints,
    }

    async def draw() -> store.Rendered:
        data = await asyncio.to_thread(
            render.render_image, prompt, character_reference_id, palette or [], style_hints or []
        )
        return store.Rendered(data, "image/png", *render.SIZE)

    server = deps(ctx)
    return await store.create(server.pool, server.settings.home, meta, args, draw)


@mcp.tool(description="Daily tier: a short clip animated from a generated image.")
async def generate_video_from_image(
    tenant_id: str,
    agent_id: str,
    image_asset_id: RefId,
    idempotency_key: IdempotencyKey,
    ctx: Context,
) -> dict[str, Any]:
    """Animate a stored image of the tenant into a GIF clip."""
    meta = _meta(ctx, tenant_id, agent_id, "generate_video_from_image", idempotency_key)
    server = deps(ctx)
    image = await store.get(server.pool, tenant_id, image_asset_id)
    if image["kind"] != "image":
        raise InvalidArgument(f"{image_asset_id!r} is not an image")
    meta |= {
        "kind": "video",
        "tier": "daily",
        "source_asset_id": image_asset_id,
        "character_reference_id": image["character_reference_id"],
    }

    async def animate() -> store.Rendered:
        png = await asyncio.to_thread(_read, image["path"])
        data = await asyncio.to_thread(render.clip_from_image, png)
        return store.Rendered(data, "image/gif", *render.CLIP_SIZE, frames=12)

    return await store.create(
        server.pool, server.settings.home, meta, {"image": image_asset_id}, animate
    )


@mcp.tool(description="Hero tier: a clip rendered from a script.")
async def generate_video_from_text(
    tenant_id: str,
    agent_id: str,
    script: Annotated[str, Field(min_length=1, max_length=4000)],
    character_reference_id: RefId,
    idempotency_key: IdempotencyKey,
    ctx: Context,
    palette: Annotated[list[Colour], Field(max_length=8)] | None = None,
) -> dict[str, Any]:
    """Render a GIF clip of palette scenes revealing the script."""
    meta = _meta(ctx, tenant_id, agent_id, "generate_video_from_text", idempotency_key)
    meta |= {"kind": "video", "tier": "hero", "character_reference_id": character_reference_id}
    args = {"script": script, "ref": character_reference_id, "palette": palette}

    async def film() -> store.Rendered:
        data = await asyncio.to_thread(
            render.clip_from_text, script, character_reference_id, palette or []
        )
        return store.Rendered(data, "image/gif", *render.CLIP_SIZE, frames=16)

    server = deps(ctx)
    return await store.create(server.pool, server.settings.home, meta, args, film)


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


@mcp.resource("media://pricing", mime_type="application/json", description="Price per tool (USD).")
async def pricing() -> str:
    """The estimated cost of each generation tool."""
    return json.dumps({"currency": "USD", "prices": PRICES_USD, "models": MODELS})


@mcp.resource(
    "media://{asset_id}", mime_type="application/json", description="A stored media asset."
)
async def asset(asset_id: str, ctx: Context) -> str:
    """The asset's row (path, mime type, size, cost) for the caller's tenant only."""
    who = caller(ctx)
    return json.dumps(await store.get(deps(ctx).pool, who["tenant_id"], asset_id))


def main() -> None:
    """Run standalone."""
    serve(mcp)
