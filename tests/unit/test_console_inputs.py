"""The console's pure helpers: a new slot's validation, the spend period, the week, the charts.

Proves specs/console.md §3 (charts), §4.2 (the new time) and §4.3 (the period).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chimera.serving.console.calendar_view import monday_of, parse_slot
from chimera.serving.console.charts import bars, meters, short
from chimera.serving.console.spend import page_period

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_a_new_slot_is_utc_in_the_future_and_within_a_year() -> None:
    """specs/console.md §4.2"""
    assert parse_slot("2026-12-05T14:30", NOW) == datetime(2026, 12, 5, 14, 30, tzinfo=UTC)
    assert parse_slot("2026-12-05T16:30+02:00", NOW) == datetime(2026, 12, 5, 14, 30, tzinfo=UTC)
    for raw, reason in (
        ("", "give the new time"),
        ("next tuesday", "is not a date and time"),
        ("2026-12-04T11:59", "is in the past"),
        ("2028-01-01T00:00Z", "more than a year ahead"),
    ):
        with pytest.raises(ValueError, match=reason):
            parse_slot(raw, NOW)


def test_the_week_starts_on_monday_and_a_bad_week_is_this_week() -> None:
    """specs/console.md §4.2"""
    assert monday_of("2026-12-06", NOW.date()) == date(2026, 11, 30)
    assert monday_of("not-a-day", NOW.date()) == date(2026, 11, 30)
    assert monday_of(None, date(2026, 12, 7)) == date(2026, 12, 7)


def test_the_spend_period_defaults_to_the_last_30_days_and_refuses_a_bad_one() -> None:
    """specs/console.md §4.3"""
    today = NOW.date()
    assert page_period(None, None, today) == (today - timedelta(days=29), today + timedelta(days=1))
    assert page_period("2026-11-01", "2026-12-01", today) == (date(2026, 11, 1), date(2026, 12, 1))
    with pytest.raises(ValueError, match="must be dates"):
        page_period("yesterday", None, today)
    with pytest.raises(ValueError, match="before"):
        page_period("2026-12-01", "2026-12-01", today)


def test_a_loss_is_a_bar_below_the_zero_line_with_its_number() -> None:
    """specs/console.md §3, §4.3"""
    svg = str(bars("Net", [("agent-a", 16.42), ("agent-b", -13.58)], " USD", decimals=2))
    assert svg.count("<rect") == 2 and svg.count('class="neg"') == 1
    assert "agent-b: -13.58 USD" in svg and "16.42 USD" in svg
    assert short("2026-12-04") == "12-04" and short("agent-econ-1234") == "-econ-1234"


def test_a_meter_names_spend_and_cap_and_marks_spend_near_the_cap() -> None:
    """specs/console.md §4.1"""
    svg = str(meters("Today", [("a", 45.0, 50.0), ("b", 1.0, None)], " USDC"))
    assert "a: 45.00 USDC of 50.00 USDC" in svg and 'class="high"' in svg
    assert "b: 1.00 USDC no cap" in svg
    assert "no data yet" in str(meters("Today", []))
