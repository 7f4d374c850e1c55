"""Choosing what to generate within `budget_hint`: the requested tier or a cheaper fallback.

Options are tried from the requested one down (hero video, daily clip, image only, caption only);
the first that fits is used and every step down is recorded for the generation metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Video = Literal["hero", "daily"] | None

IMAGE = "generate_image"
VIDEO_TOOL = {"daily": "generate_video_from_image", "hero": "generate_video_from_text"}


@dataclass(frozen=True)
class MediaPlan:
    """What to render and what it is expected to cost."""

    image: bool
    video: Video
    cost_usd: float
    fallbacks: tuple[str, ...]


def _option(image: bool, video: Video, prices: dict[str, float]) -> MediaPlan:
    cost = (prices[IMAGE] if image else 0.0) + (prices[VIDEO_TOOL[video]] if video else 0.0)
    return MediaPlan(image=image, video=video, cost_usd=round(cost, 4), fallbacks=())


def name(plan: MediaPlan) -> str:
    """How a plan reads in fallback notes and media holds."""
    if plan.video:
        return f"image + {plan.video} video"
    return "image only" if plan.image else "caption only"


def ladder(tier: Literal["daily", "hero"], prices: dict[str, float]) -> list[MediaPlan]:
    """The options at or below `tier`, richest first; the last (caption only) costs nothing."""
    options = [_option(True, "hero", prices)] if tier == "hero" else []
    options += [_option(True, "daily", prices), _option(True, None, prices)]
    return [*options, _option(False, None, prices)]


def choose(
    tier: Literal["daily", "hero"], budget_usd: float, prices: dict[str, float]
) -> MediaPlan:
    """The richest plan at or below `tier` whose estimated cost fits the budget."""
    steps: list[str] = []
    for plan in ladder(tier, prices):
        if plan.cost_usd <= budget_usd + 1e-9:
            return MediaPlan(plan.image, plan.video, plan.cost_usd, tuple(steps))
        steps.append(
            f"{name(plan)} would cost ~{plan.cost_usd:.2f} USD, over the"
            f" {budget_usd:.2f} USD budget; fell back to a cheaper option"
        )
    raise AssertionError("the caption-only plan always fits a non-negative budget")
