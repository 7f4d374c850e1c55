"""Per-campaign run Context validation (specs/technical.md §5.10, §2.7 Thresholds)."""

from __future__ import annotations

import dataclasses
import math

import pytest

from state.context import Context


def test_defaults_are_090_and_070() -> None:
    """specs/technical.md §2.7 (defaults 0.90 and 0.70), §5.10"""
    ctx = Context()
    assert (ctx.approve_threshold, ctx.review_threshold) == (0.90, 0.70)
    assert ctx.max_parallel_workers >= 1 and ctx.max_tasks >= 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"approve_threshold": 1.1},
        {"approve_threshold": -0.1, "review_threshold": -0.2},
        {"review_threshold": -0.01},
        {"approve_threshold": math.nan},
        {"review_threshold": math.nan},
        {"approve_threshold": math.inf},
        {"approve_threshold": "0.9"},
        {"approve_threshold": None},
        {"approve_threshold": 0.60, "review_threshold": 0.70},
        {"max_parallel_workers": 0},
        {"max_tasks": 0},
        {"max_replans": -1},
        {"max_replies": -1},
        {"review_ttl_minutes": 0},
    ],
    ids=repr,
)
def test_invalid_context_values_raise_value_error(overrides: dict[str, object]) -> None:
    """specs/technical.md §2.7 (0 ≤ review ≤ approve ≤ 1), §5.10"""
    with pytest.raises(ValueError):
        Context(**overrides)  # type: ignore[arg-type]


def test_threshold_error_names_the_field() -> None:
    """specs/technical.md §5.10"""
    with pytest.raises(ValueError, match="review_threshold must not exceed approve_threshold"):
        Context(approve_threshold=0.5, review_threshold=0.6)
    with pytest.raises(ValueError, match="approve_threshold"):
        Context(approve_threshold=math.nan)


@pytest.mark.parametrize(
    ("approve", "review"), [(0.0, 0.0), (1.0, 1.0), (0.80, 0.80), (1, 0), (0.80, 0.50)]
)
def test_inclusive_threshold_bounds_are_accepted(approve: float, review: float) -> None:
    """specs/technical.md §2.7 (Bounds are inclusive, 0 ≤ review ≤ approve ≤ 1)"""
    ctx = Context(approve_threshold=approve, review_threshold=review)
    assert (ctx.approve_threshold, ctx.review_threshold) == (approve, review)


def test_context_is_immutable() -> None:
    """specs/technical.md §5.10 (runtime context of one run)"""
    with pytest.raises(dataclasses.FrozenInstanceError):
        Context().approve_threshold = 0.1  # type: ignore[misc]


def test_every_context_field_has_a_description_for_studio() -> None:
    """specs/technical.md §5.10, §7 (Studio renders the context form)"""
    for f in dataclasses.fields(Context):
        assert f.metadata.get("description"), f.name
