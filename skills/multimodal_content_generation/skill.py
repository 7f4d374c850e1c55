"""The multimodal skill's async entry: caption, image and tier video within the budget.

Reads the media price list and calls the media tools through the MCP host only; never publishes.
Media calls carry idempotency keys derived from the caller's seed (a task id in the campaign), so
a re-executed worker gets the same assets back instead of paying twice.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from chimera.control.personas import PersonaError, tenant_persona
from chimera.mcp.host import CallIdentity
from chimera.resources import Services
from skills.multimodal_content_generation.budget import IMAGE, VIDEO_TOOL, MediaPlan, choose
from skills.multimodal_content_generation.campaign_budget import reserve_plan, settle_plan
from skills.multimodal_content_generation.caption import write_caption
from skills.multimodal_content_generation.request import ContentRequest, ContentRequestError
from state.persona import Persona

LLM_MODEL = "template-writer-v1"


def default_seed(request: ContentRequest) -> str:
    """An idempotency seed from the whole request: the same request renders once."""
    body = json.dumps(request.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:24]


async def _persona(svc: Services, request: ContentRequest) -> Persona:
    try:
        persona = await tenant_persona(svc.settings.agents_dir, request.tenant_id, request.agent_id)
    except PersonaError as exc:
        raise ContentRequestError(str(exc)) from exc
    if persona.character_reference_id != request.character_reference_id:
        raise ContentRequestError(
            f"character_reference_id {request.character_reference_id!r} is not the persona's"
        )
    return persona


async def _render(
    svc: Services, request: ContentRequest, persona: Persona, plan: MediaPlan, text: str, seed: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    who = CallIdentity(request.tenant_id, request.agent_id, request.campaign_id)
    base = {"tenant_id": request.tenant_id, "agent_id": request.agent_id}
    ref = request.character_reference_id
    image = video = None
    if plan.image:
        args = {
            **base,
            "prompt": text,
            "character_reference_id": ref,
            "palette": persona.palette,
            "style_hints": request.creative_brief.tone[:5],
            "idempotency_key": f"media:{seed}:image",
        }
        image = await svc.host.call_tool("media", IMAGE, args, who=who)
    if plan.video == "daily" and image is not None:
        args = {
            **base,
            "image_asset_id": image["asset_id"],
            "idempotency_key": f"media:{seed}:daily",
        }
        video = await svc.host.call_tool("media", VIDEO_TOOL["daily"], args, who=who)
    elif plan.video == "hero":
        script = f"{request.creative_brief.goal} {' '.join(request.creative_brief.key_messages)}"
        args = {
            **base,
            "script": script[:4000],
            "character_reference_id": ref,
            "palette": persona.palette,
            "idempotency_key": f"media:{seed}:hero",
        }
        video = await svc.host.call_tool("media", VIDEO_TOOL["hero"], args, who=who)
    return image, video


def _assets(
    text: str, hashtags: list[str], image: dict[str, Any] | None, video: dict[str, Any] | None
) -> dict[str, Any]:
    assets: dict[str, Any] = {"caption": {"text": text, "hashtags": hashtags}}
    if image is not None:
        assets["image"] = {
            "asset_id": image["asset_id"],
            "mcp_tool": f"media.{IMAGE}",
            "character_reference_id": image["character_reference_id"],
            "url": image["url"],
        }
    if video is not None:
        assets["video"] = {
            "asset_id": video["asset_id"],
            "mcp_tool": f"media.{video['tool']}",
            "tier": video["tier"],
            "url": video["url"],
        }
    return assets


def _metadata(
    request: ContentRequest,
    plan: MediaPlan,
    pricing: dict[str, Any],
    image: dict[str, Any] | None,
    video: dict[str, Any] | None,
    notes: list[str],
) -> dict[str, Any]:
    spent = sum(float(a["estimated_cost_usd"]) for a in (image, video) if a is not None)
    return {
        "llm_model": LLM_MODEL,
        "image_model": pricing["models"][IMAGE] if image else None,
        "video_model": pricing["models"][video["tool"]] if video else None,
        "approx_cost_usd": round(spent, 4),
        "budget_usd": request.budget_hint.max_generation_cost_usd,
        "requested_tier": request.tier,
        "tier": plan.video,
        "fallbacks": list(plan.fallbacks),
        "caption_notes": notes,
    }


async def generate_content(
    svc: Services, request: ContentRequest, *, caption: str | None = None, seed: str | None = None
) -> dict[str, Any]:
    """Generate the §5.2 output; `caption` reuses a drafted text, `seed` keys the media calls."""
    persona = await _persona(svc, request)
    text, hashtags, notes = write_caption(request, persona)
    text = caption or text
    who = CallIdentity(request.tenant_id, request.agent_id, request.campaign_id)
    pricing = await svc.host.read_resource("media", "media://pricing", who=who)
    prices = {k: float(v) for k, v in pricing["prices"].items()}
    plan = choose(request.tier, request.budget_hint.max_generation_cost_usd, prices)
    key = seed or default_seed(request)
    plan = await reserve_plan(svc, request, plan, prices, key)
    image, video = await _render(svc, request, persona, plan, text, key)
    await settle_plan(svc, request, key, [image, video])
    assets = _assets(text, hashtags, image, video)
    metadata = _metadata(request, plan, pricing, image, video, notes)
    return {
        "tenant_id": request.tenant_id,
        "agent_id": request.agent_id,
        "campaign_id": request.campaign_id,
        "assets": assets,
        "generation_metadata": metadata,
    }
