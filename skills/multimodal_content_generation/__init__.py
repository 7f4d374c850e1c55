"""Multimodal content generation (CONTRACTS §5.2, §7): the Creative Engine skill.

`generate_multimodal_content` is the synchronous entry: it opens the embedded default itself and
returns caption, image and tier video within `budget_hint` (a cheaper fallback is recorded in
`generation_metadata.fallbacks`). `agenerate_multimodal_content` is the async twin.
"""

from __future__ import annotations

import asyncio
from typing import Any

from chimera.resources import Services, open_services
from skills.multimodal_content_generation.request import (
    ContentRequest,
    ContentRequestError,
    parse_content_request,
)
from skills.multimodal_content_generation.skill import generate_content

__all__ = [
    "ContentRequest",
    "ContentRequestError",
    "agenerate_multimodal_content",
    "generate_multimodal_content",
]


async def agenerate_multimodal_content(
    svc: Services | None = None, *, seed: str | None = None, **data: Any
) -> dict[str, Any]:
    """Async twin of `generate_multimodal_content` (opens services when `svc` is None)."""
    request = parse_content_request(data)
    if svc is not None:
        return await generate_content(svc, request, seed=seed)
    async with open_services() as own:
        return await generate_content(own, request, seed=seed)


def generate_multimodal_content(**data: Any) -> dict[str, Any]:
    """Generate caption, image and video for a brief (CONTRACTS §5.2), as a plain dict.

    Args:
        **data: the §5.2 input; `character_reference_id` is required.

    Returns:
        `tenant_id`, `agent_id`, `campaign_id`, `assets` (`caption`, and `image` / `video` when
        requested and affordable) and `generation_metadata` (models, `approx_cost_usd`,
        `fallbacks`).

    Raises:
        ContentRequestError: invalid input, an unknown agent or a foreign character reference.
        chimera.mcp.errors.McpCallError: the media server is missing or unreachable.

    """
    return asyncio.run(agenerate_multimodal_content(**data))
