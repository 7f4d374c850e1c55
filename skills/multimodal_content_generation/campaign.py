"""Media for a campaign post: what the work node calls after the writer drafted the caption.

Keys the media calls on the task id and the caption: a re-executed worker with the same draft gets
the same assets back, while a redraft (new goal after an OCC invalidation, an edited caption)
renders new ones instead of colliding with the old key.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Literal

from chimera.resources import Services
from skills.multimodal_content_generation.request import ContentRequest
from skills.multimodal_content_generation.skill import generate_content
from state.contracts import CaptionPayload, MediaRef, Task
from state.persona import Persona


def content_request(
    task: Task, persona: Persona, platform: str, tier: Literal["daily", "hero"], budget: float
) -> ContentRequest:
    """The §5.2 request of a post task."""
    return ContentRequest.model_validate(
        {
            "tenant_id": task.tenant_id,
            "agent_id": task.agent_id,
            "campaign_id": task.goal.campaign_id,
            "creative_brief": {
                "goal": task.goal.goal_description,
                "tone": persona.voice[:10],
                "key_messages": [task.params[k] for k in ("angle",) if task.params.get(k)],
                "cta": persona.call_to_action,
            },
            "persona_constraints": {"forbidden_topics": persona.forbidden_topics},
            "character_reference_id": persona.character_reference_id,
            "platform": platform,
            "tier": tier,
            "budget_hint": {"max_generation_cost_usd": budget},
        }
    )


def media_seed(task_id: str, caption: str) -> str:
    """Idempotency seed of a post's media: the task and the exact caption it illustrates."""
    digest = hashlib.sha256(caption.encode()).hexdigest()[:12]
    return re.sub(r"[^A-Za-z0-9_-]", "_", task_id)[:120] + "-" + digest


async def attach_media(
    svc: Services,
    task: Task,
    persona: Persona,
    draft: CaptionPayload,
    tier: Literal["daily", "hero"],
    budget: float,
) -> tuple[CaptionPayload, list[MediaRef], dict[str, Any]]:
    """Render the post's media; return the draft with `media_ids`, the refs and the metadata."""
    request = content_request(task, persona, draft.platform, tier, budget)
    seed = media_seed(task.task_id, draft.text)
    out = await generate_content(svc, request, caption=draft.text, seed=seed)
    refs: list[MediaRef] = []
    if image := out["assets"].get("image"):
        refs.append(
            MediaRef(
                asset_id=image["asset_id"],
                kind="image",
                url=image["url"],
                character_reference_id=image["character_reference_id"],
            )
        )
    if video := out["assets"].get("video"):
        refs.append(
            MediaRef(asset_id=video["asset_id"], kind="video", url=video["url"], tier=video["tier"])
        )
    payload = draft.model_copy(update={"media_ids": [r.asset_id for r in refs]})
    return payload, refs, out["generation_metadata"]
