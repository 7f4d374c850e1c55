"""LLM token costs in P&L: a campaign through the real OpenAI client against the local replay of its
wire format (tests/support/llm_replay.py), paused for review, run again and resumed.

See specs/economics.md §3.4, §3.5. What the replay served is the truth: every call is costed
once, at the configured price; the report's totals are the usage and ledger rows summed apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from chimera.control.pnl import PnlQuery, by_task, pnl
from chimera.platform.db import tenant_tx
from chimera.platform.llm_prices import TokenPrice
from chimera.resources import Services
from chimera.runs.runner import resume_review, run_campaign
from chimera.strategies.models import ModelOptions
from chimera.strategies.registry import RoleModels, StrategyCache
from state.review import ReviewDecision
from tests.conftest import ETHIOPIA
from tests.support.llm_replay import LlmReplay
from tests.support.mcp import XYZ
from tests.support.platform import scalar, settle_mentions

PRICE = TokenPrice(input_per_1k=Decimal("0.40"), output_per_1k=Decimal("1.60"))
POST = {
    "key": "hero-post",
    "task_type": "publish_post",
    "priority": "high",
    "depends_on": [],
    "params": {"platform": "tiktok", "angle": "summer streetwear"},
}


def answer(role: str, prompt: str) -> Any:
    """One post, judged in the review band (0.70-0.90), so the run pauses for a human."""
    if role == "planner":
        return {"rationale": "one post", "tasks": [POST]}
    if role == "writer":
        return {"text": "Tigray cotton, Addis cut, summer ready #AIcreator", "hashtags": []}
    if role == "judge":
        return {"confidence": 0.8, "risk_category": "brand_safety_low", "reasons": ["Check."]}
    return {"relevance": 0.8}


@pytest.fixture
def replay() -> Iterator[LlmReplay]:
    with LlmReplay(answer) as server:
        yield server


@pytest.fixture(autouse=True)
async def no_mentions_to_answer(svc: Services) -> None:
    """Every sample mention is already answered, so the plan is the scripted post alone."""
    ids = [f"mention-eth-{i:03d}" for i in range(1, 11)]
    await settle_mentions(svc, XYZ, ETHIOPIA, ids)


def priced(svc: Services, replay: LlmReplay, prices: dict[str, TokenPrice]) -> Services:
    """The services with every role on the replayed OpenAI model and the given price table."""
    spec = "openai:replay-model-1"
    options = ModelOptions({"openai": replay.url + "/v1"}, 10.0, 2)
    roles = RoleModels(planner=spec, writer=spec, judge=spec, fast=spec)
    settings = svc.settings.model_copy(update={"llm_prices": prices})
    return replace(svc, settings=settings, strategies=StrategyCache(roles, None, options))


def served(replay: LlmReplay) -> tuple[int, int, Decimal]:
    """Input tokens, output tokens and their cost at PRICE, over every answered request."""
    tokens_in = sum(s.input_tokens for s in replay.seen)
    tokens_out = sum(s.output_tokens for s in replay.seen)
    return tokens_in, tokens_out, PRICE.cost(tokens_in, tokens_out)


async def rows_summed(svc: Services, campaign: str) -> dict[str, Decimal]:
    """The campaign's usage, payment and media rows, summed straight from their tables."""
    llm = await scalar(
        svc,
        XYZ,
        "SELECT coalesce(sum(cost_usd), 0) FROM llm_usage WHERE campaign_id = %s",
        campaign,
    )
    paid = await scalar(
        svc,
        XYZ,
        "SELECT coalesce(sum(amount), 0) FROM wallet_transactions WHERE campaign_id = %s"
        " AND status = 'settled' AND asset = 'USDC'",
        campaign,
    )
    media = await scalar(
        svc,
        XYZ,
        "SELECT coalesce(sum(a.estimated_cost_usd), 0) FROM media_assets a WHERE EXISTS"
        " (SELECT 1 FROM social_posts p WHERE p.status = 'published'"
        " AND p.tracking->>'campaign_id' = %s AND a.asset_id = ANY(p.media_ids))",
        campaign,
    )
    return {"llm": Decimal(llm), "payments": Decimal(paid), "media": Decimal(media)}


async def report(svc: Services, campaign: str) -> dict[str, Any]:
    async with tenant_tx(svc.pool, XYZ) as conn:
        out = await pnl(conn, PnlQuery(XYZ, ETHIOPIA, campaign))
        out["tasks"] = await by_task(conn, PnlQuery(XYZ, ETHIOPIA, campaign))
    return out


def assert_costed_once(got: dict[str, Any], replay: LlmReplay) -> None:
    tokens_in, tokens_out, cost = served(replay)
    assert (got["llm"]["input_tokens"], got["llm"]["output_tokens"]) == (tokens_in, tokens_out)
    assert got["llm"]["calls"] == len(replay.seen) and Decimal(got["costs"]["llm"]) == cost > 0
    assert got["llm"]["unpriced_models"] == [] and got["warnings"] == []


async def test_token_costs_appear_once_across_a_review_pause_a_rerun_and_the_resume(
    svc: Services, replay: LlmReplay
) -> None:
    """specs/economics.md §3.4, §3.5, §3.2"""
    llm = priced(svc, replay, {"replay-model-1": PRICE})
    campaign = f"cmp-llm-cost-{uuid.uuid4().hex[:8]}"
    goal = "Launch the summer streetwear drop"
    paused = await run_campaign(llm, agent_id=ETHIOPIA, goal=goal, campaign_id=campaign)
    assert [r["task_id"] for r in paused.pending_reviews], paused.tasks
    assert_costed_once(await report(svc, campaign), replay)
    calls = len(replay.seen)
    again = await run_campaign(llm, agent_id=ETHIOPIA, goal=goal, campaign_id=campaign)
    assert "waiting for reviews" in again.note and len(replay.seen) == calls
    for review in paused.pending_reviews:
        await resume_review(
            llm,
            tenant_id=XYZ,
            review_id=review["review_id"],
            decision=ReviewDecision(decision="approve"),
        )
    assert len(replay.seen) == calls  # the resume ran the review, not the model judge again
    got = await report(svc, campaign)
    assert_costed_once(got, replay)
    # The totals are the usage and ledger rows; the task lines add up to them.
    sums = await rows_summed(svc, campaign)
    assert {k: Decimal(got["costs"][k]) for k in sums} == sums
    assert Decimal(got["costs"]["total"]) == sum(sums.values())
    lines = got["tasks"]
    assert sum(Decimal(t["costs"]["total"]) for t in lines) == Decimal(got["costs"]["total"])
    [post] = [t["task_id"] for t in paused.tasks if t["task_type"] == "publish_post"]
    by = {t["task_id"]: t["costs"] for t in lines}
    assert set(by) >= {"plan", post} and all(Decimal(by[t]["llm"]) > 0 for t in ("plan", post))
    others = await scalar(
        svc,
        XYZ,
        "SELECT count(*) FROM llm_usage WHERE campaign_id = %s AND agent_id IS DISTINCT FROM %s",
        campaign,
        ETHIOPIA,
    )
    assert others == 0  # every usage row names its agent


async def test_an_unpriced_model_costs_nothing_and_is_flagged(
    svc: Services, replay: LlmReplay
) -> None:
    """specs/economics.md §3.4 (never invented)"""
    llm = priced(svc, replay, {})
    campaign = f"cmp-llm-unpriced-{uuid.uuid4().hex[:8]}"
    await run_campaign(llm, agent_id=ETHIOPIA, goal="Launch the drop", campaign_id=campaign)
    got = await report(svc, campaign)
    tokens_in, tokens_out, _ = served(replay)
    assert got["costs"]["llm"] == "0.00" and got["llm"]["unpriced_models"] == ["replay-model-1"]
    assert got["llm"]["models"][0]["unpriced_tokens"] == tokens_in + tokens_out > 0
    assert got["warnings"] == [
        f"no price for model replay-model-1: {tokens_in + tokens_out} tokens counted at 0.00 USD"
        " (add it to CHIMERA_LLM_PRICES)"
    ]
    all_unpriced = await scalar(
        svc,
        XYZ,
        "SELECT count(*) > 0 AND bool_and(cost_usd IS NULL AND input_usd_per_1k IS NULL)"
        " FROM llm_usage WHERE campaign_id = %s",
        campaign,
    )
    assert all_unpriced is True
