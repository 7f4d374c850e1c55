"""The trend skill's flat trend alert (specs/functional.md §7; specs/technical.md §2)."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from state.contracts import FlatTrendAlert


@pytest.mark.parametrize("score", [0.0, 0.92, 1.0])
def test_flat_trend_alert_accepts_a_float_relevance_score(score: float) -> None:
    """specs/functional.md §7 (trend alerts); specs/technical.md §2 (reject invalid values)"""
    alert = FlatTrendAlert(
        trend_alert=True,
        topics=["fashion"],
        relevance_score=score,
        alert_message="Rising: habesha streetwear",
    )
    assert isinstance(alert.relevance_score, float)


@pytest.mark.parametrize("score", ["0.5", True, None, 1.5, -0.1, math.nan])
def test_flat_trend_alert_relevance_score_rejects_strings_bools_and_out_of_range(
    score: object,
) -> None:
    """specs/functional.md §7 (trend alerts); specs/technical.md §2 (reject invalid values)"""
    with pytest.raises(ValidationError):
        FlatTrendAlert(
            trend_alert=False,
            topics=[],
            relevance_score=score,  # type: ignore[arg-type]
            alert_message="",
        )


@pytest.mark.parametrize("score", [0, 1])
def test_flat_trend_alert_stores_an_integer_score_as_a_real_float(score: int) -> None:
    """specs/functional.md §7 (trend alerts: relevance_score is a real float, never an int)"""
    alert = FlatTrendAlert(trend_alert=False, topics=[], relevance_score=score, alert_message="")
    assert type(alert.relevance_score) is float
    assert f'"relevance_score":{float(score)}' in alert.model_dump_json()
