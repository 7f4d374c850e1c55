"""Judge routing rule (specs/technical.md §2.7, §9): regression cases, overrides, fail-closed."""

from __future__ import annotations

import math

import pytest

from chimera.strategies.routing import route


@pytest.mark.parametrize(
    ("confidence", "risk", "expected"),
    [(0.92, "low", "approve"), (0.78, "brand_safety_medium", "review"), (0.65, "high", "reject")],
)
def test_judge_demo_regression_cases_route_as_specified(
    confidence: float, risk: str, expected: str
) -> None:
    """specs/technical.md §2.7 (regression cases)"""
    assert route(confidence, risk, sensitive=False) == expected


@pytest.mark.parametrize("confidence", [0.99, 0.92, 0.75, 0.30, 0.0])
def test_sensitive_topic_goes_to_review_whatever_the_confidence(confidence: float) -> None:
    """specs/technical.md §2.7 rule 4"""
    assert route(confidence, "finance_medium", sensitive=True) == "review"


def test_sensitive_topic_is_never_auto_approved_even_at_full_confidence() -> None:
    """specs/technical.md §2.7 rule 4; specs/_meta.md §2.3"""
    assert route(1.0, "brand_safety_low", sensitive=True) == "review"


@pytest.mark.parametrize("risk", ["high", "brand_safety_high", "Prompt_Injection_HIGH"])
def test_high_risk_blocks_auto_approval_at_095(risk: str) -> None:
    """specs/technical.md §2.7 rule 5, §9"""
    assert route(0.95, risk, sensitive=False) == "review"


@pytest.mark.parametrize(
    "confidence", [math.nan, -0.1, 1.5, None, "0.9", True, False, math.inf, -math.inf, [0.9]]
)
def test_invalid_score_fails_closed_to_reject(confidence: object) -> None:
    """specs/technical.md §2.7 rule 1"""
    assert route(confidence, "brand_safety_low", sensitive=False) == "reject"


def test_invalid_score_rejects_even_for_sensitive_content() -> None:
    """specs/technical.md §2.7 rule 1 precedes rule 4"""
    assert route(math.nan, "finance_medium", sensitive=True) == "reject"


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [
        (0.90, "approve"),
        (0.8999, "review"),
        (0.70, "review"),
        (0.6999, "reject"),
        (1, "approve"),
        (0, "reject"),
    ],
)
def test_default_threshold_bounds_are_inclusive(confidence: float, expected: str) -> None:
    """specs/technical.md §2.7 (Thresholds: defaults 0.90/0.70, bounds inclusive)"""
    assert route(confidence, "brand_safety_low", sensitive=False) == expected


def test_per_campaign_approve_threshold_of_080_auto_approves_085() -> None:
    """specs/technical.md §2.7 (Thresholds set per campaign), §5.10"""
    assert route(0.85, "low", sensitive=False) == "review"
    assert route(0.85, "low", sensitive=False, approve_threshold=0.80) == "approve"
    assert route(0.80, "low", sensitive=False, approve_threshold=0.80) == "approve"


def test_per_campaign_review_threshold_moves_the_reject_band() -> None:
    """specs/technical.md §2.7 (Thresholds set per campaign), §5.10"""
    assert route(0.55, "low", sensitive=False) == "reject"
    assert route(0.55, "low", sensitive=False, review_threshold=0.50) == "review"
    assert route(0.45, "low", sensitive=False, review_threshold=0.50) == "reject"
