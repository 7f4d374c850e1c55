"""The campaign's media budget around one generation: reserve the plan first, settle after.

Sits between choosing a plan within the request's `budget_hint` and rendering it: when the
campaign's policy sets `media_budget_usd`, the plan (or the first cheaper one that fits what the
campaign has left) is held in the control plane before any media tool is called, and the hold is
settled with the rendered assets' actual cost. Without a campaign budget (or a campaign row,
e.g. the zero-config skill entry) the plan is used as chosen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chimera.control import media_budget, occ
from chimera.control.judge_context import merged_policy, tenant_policy
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from skills.multimodal_content_generation.budget import MediaPlan, ladder, name
from skills.multimodal_content_generation.request import ContentRequest


async def campaign_cap(svc: Services, request: ContentRequest) -> Decimal | None:
    """The campaign policy's media budget, if the campaign exists and sets one."""
    async with tenant_tx(svc.pool, request.tenant_id) as conn:
        try:
            campaign = await occ.read_campaign(conn, request.campaign_id)
        except occ.CampaignNotFound:
            return None
    policy = merged_policy(
        await tenant_policy(svc.settings.policies_dir, request.tenant_id), campaign
    )
    return None if policy.media_budget_usd is None else Decimal(str(policy.media_budget_usd))


async def reserve_plan(
    svc: Services, request: ContentRequest, plan: MediaPlan, prices: dict[str, float], seed: str
) -> MediaPlan:
    """Hold `plan`, or the richest cheaper option that fits the campaign's media budget."""
    cap = await campaign_cap(svc, request)
    if cap is None:
        return plan
    options = [p for p in ladder(request.tier, prices) if p.cost_usd <= plan.cost_usd]
    costs = [(name(p), Decimal(str(p.cost_usd))) for p in options]
    async with tenant_tx(svc.pool, request.tenant_id) as conn:
        hold = await media_budget.reserve(conn, request.campaign_id, seed, cap, costs)
    assert hold is not None, "the caption-only option costs nothing and always fits"
    chosen = next(p for p in options if name(p) == hold.plan)
    steps = [
        f"{name(p)} would cost ~{p.cost_usd:.2f} USD, over what the campaign's media budget of"
        f" {cap:.2f} USD has left; fell back to a cheaper option"
        for p in options[: options.index(chosen)]
    ]
    return MediaPlan(chosen.image, chosen.video, chosen.cost_usd, (*plan.fallbacks, *steps))


async def settle_plan(
    svc: Services, request: ContentRequest, seed: str, assets: list[dict[str, Any] | None]
) -> None:
    """Record the rendered assets' actual cost against the hold (no-op without a hold)."""
    actual = sum((Decimal(str(a["estimated_cost_usd"])) for a in assets if a), Decimal(0))
    async with tenant_tx(svc.pool, request.tenant_id) as conn:
        await media_budget.settle(conn, seed, actual)
