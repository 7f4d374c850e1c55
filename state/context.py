"""Run-time settings of one campaign run: the graph's `context_schema`.

Studio renders these fields as a form; each has a description. Per-campaign overrides are stored
on the campaign row and merged in by the CLI before a run starts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from state.money import AmountError, parse_amount


@dataclass(frozen=True)
class Context:
    """Thresholds, caps and the model for one campaign run."""

    approve_threshold: float = field(
        default=0.90,
        metadata={"description": "Confidence at or above which work is auto-approved."},
    )
    review_threshold: float = field(
        default=0.70, metadata={"description": "Confidence below which work is rejected."}
    )
    max_parallel_workers: int = field(
        default=8, metadata={"description": "Most tasks in flight at once (Send fan-out cap)."}
    )
    max_replans: int = field(
        default=2, metadata={"description": "How many times rejected work may be re-planned."}
    )
    max_tasks: int = field(default=20, metadata={"description": "Largest plan accepted."})
    max_replies: int = field(
        default=3,
        metadata={"description": "Most mentions one run answers (replies and escalations)."},
    )
    max_replies_per_hour: int = field(
        default=10,
        metadata={"description": "Most mentions an agent answers per rolling hour (all runs)."},
    )
    engagement_only: bool = field(
        default=False,
        metadata={"description": "Answer unhandled mentions only, with no post (engagement runs)."},
    )
    complaint_action: str = field(
        default="escalate",
        metadata={"description": "What a complaint gets: `escalate` (a human) or `reply`."},
    )
    unanswered_action: str = field(
        default="defer",
        metadata={
            "description": (
                "A product question no fact answers: `defer` (an honest reply that does not "
                "guess) or `escalate` (a human)."
            )
        },
    )
    review_ttl_minutes: int = field(
        default=60, metadata={"description": "How long a review item stays open."}
    )
    relevance_threshold: float = field(
        default=0.80,
        metadata={"description": "Trend relevance at or above which perception starts a run."},
    )
    render_media: bool = field(
        default=True, metadata={"description": "Render an image (and clip) for every post."}
    )
    media_tier: str = field(
        default="daily", metadata={"description": "Video tier of posts: `daily` or `hero`."}
    )
    media_budget_usd: float = field(
        default=5.0, metadata={"description": "Most one post's media may cost to generate (USD)."}
    )
    model: str | None = field(
        default=None,
        metadata={
            "description": (
                "`provider:model` for the LLM planner, writer and judge (init_chat_model), e.g. "
                "`anthropic:claude-haiku-4-5`, `openai:gpt-4o-mini`, `ollama:llama3.1`; empty: "
                "the deterministic offline strategies."
            )
        },
    )
    memory_k: int = field(
        default=5, metadata={"description": "Semantic memories loaded into a run's context."}
    )
    recent_episodes: int = field(
        default=10, metadata={"description": "Recent episodes loaded into a run's context."}
    )
    duplicate_threshold: float = field(
        default=0.95,
        metadata={"description": "Cosine similarity to a recent post that makes a near-duplicate."},
    )
    duplicate_penalty: float = field(
        default=0.05, metadata={"description": "Confidence a near-duplicate draft loses."}
    )
    max_per_tx: str = field(
        default="50.00", metadata={"description": "Hard cap of one payment (USDC decimal string)."}
    )
    max_daily: str = field(
        default="200.00", metadata={"description": "Hard cap of a campaign's payments per UTC day."}
    )
    max_campaign_total: str = field(
        default="1000.00", metadata={"description": "Hard cap of a campaign's payments in total."}
    )
    tx_review_threshold: str = field(
        default="20.00",
        metadata={"description": "Payments above this amount wait for a human (CFO review)."},
    )
    payment_allow_list: tuple[str, ...] = field(
        default=(),
        metadata={"description": "Recipient addresses this campaign may pay; others are refused."},
    )
    platforms: tuple[str, ...] = field(
        default=(),
        metadata={
            "description": "Platforms to publish on, overriding the goal and the persona (empty: "
            "the platforms the goal names, else the persona's)."
        },
    )
    hero_video_vendor: str | None = field(
        default=None,
        metadata={"description": "Address paid for a hero video when the goal asks for one."},
    )
    hero_video_price: str = field(
        default="25.00", metadata={"description": "USDC paid per hero video generation."}
    )

    def __post_init__(self) -> None:
        for name in ("approve_threshold", "review_threshold", "relevance_threshold"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or math.isnan(value) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
        if self.review_threshold > self.approve_threshold:
            raise ValueError("review_threshold must not exceed approve_threshold")
        for name in ("max_parallel_workers", "max_tasks"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.media_tier not in ("daily", "hero"):
            raise ValueError(f"media_tier must be 'daily' or 'hero', got {self.media_tier!r}")
        if not 0 <= self.media_budget_usd <= 10_000 or math.isnan(self.media_budget_usd):
            raise ValueError("media_budget_usd must be a number in [0, 10000]")
        if self.max_replans < 0 or self.max_replies < 0 or self.review_ttl_minutes < 1:
            raise ValueError("max_replans/max_replies must be >= 0 and review_ttl_minutes >= 1")
        if not 0 <= self.memory_k <= 50 or not 0 <= self.recent_episodes <= 100:
            raise ValueError("memory_k must be in [0, 50] and recent_episodes in [0, 100]")
        if not 0 < self.duplicate_threshold <= 1 or not 0 <= self.duplicate_penalty <= 1:
            raise ValueError("duplicate_threshold must be in (0, 1], duplicate_penalty in [0, 1]")
        for platform in self.platforms:
            if not re.fullmatch(r"[a-z0-9_]{2,32}", platform):
                raise ValueError(f"platforms: {platform!r} is not a platform id (a-z, 0-9, _)")
        check_engagement(self)
        check_commerce(self)


def check_engagement(ctx: Context) -> None:
    """Validate the reply cadence and the engagement actions."""
    if not 0 <= ctx.max_replies_per_hour <= 10_000:
        raise ValueError("max_replies_per_hour must be in [0, 10000]")
    if ctx.complaint_action not in ("escalate", "reply"):
        raise ValueError(
            f"complaint_action must be 'escalate' or 'reply', got {ctx.complaint_action!r}"
        )
    if ctx.unanswered_action not in ("defer", "escalate"):
        raise ValueError(
            f"unanswered_action must be 'defer' or 'escalate', got {ctx.unanswered_action!r}"
        )


def check_commerce(ctx: Context) -> None:
    """Validate the payment knobs: strict USDC amounts and well-formed addresses."""
    try:
        for name in ("max_per_tx", "max_daily", "max_campaign_total", "tx_review_threshold"):
            parse_amount(getattr(ctx, name), "USDC", allow_zero=True)
        parse_amount(ctx.hero_video_price, "USDC")
    except AmountError as exc:
        raise ValueError(f"invalid payment setting: {exc}") from exc
    vendor = [ctx.hero_video_vendor] if ctx.hero_video_vendor else []
    for address in [*ctx.payment_allow_list, *vendor]:
        if not re.fullmatch(r"0x[0-9a-fA-F]{40}", address):
            raise ValueError(f"not a 0x 20-byte address: {address!r}")


def context_of(runtime: Any) -> Context:
    """The run's Context, or the defaults when the caller passed none."""
    ctx = getattr(runtime, "context", None)
    if ctx is None:
        return Context()
    if isinstance(ctx, dict):
        return Context(**ctx)
    return ctx
