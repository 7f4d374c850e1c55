"""Slot rules of the posting plan, with the clock in the test's hands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from chimera.strategies.schedule import next_post_slot, next_reply_slot, schedule_dag
from chimera.strategies.targeting import named_platforms, restrict, target_platforms
from state.contracts import TaskType
from state.plan import PlannedTask, TaskDAG
from state.posting import PostingPlan

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PLAN = PostingPlan.model_validate(
    {
        "timezone": "Africa/Addis_Ababa",
        "quiet_hours": "23:00-07:00",
        "replies_per_hour": 2,
        "platforms": {
            "tiktok": {"windows": ["09:00-21:00"], "max_per_day": 2, "min_spacing_minutes": 120}
        },
    }
)


def test_a_post_inside_a_free_window_goes_out_now() -> None:
    """specs/calendar.md §1.2"""
    assert next_post_slot(PLAN, "tiktok", NOON, []) == NOON


def test_a_post_too_close_to_the_last_one_waits_for_the_spacing() -> None:
    """specs/calendar.md §1.2"""
    last = NOON - timedelta(minutes=30)
    assert next_post_slot(PLAN, "tiktok", NOON, [last]) == last + timedelta(minutes=120)


def test_a_full_day_moves_the_post_to_the_next_days_first_window() -> None:
    """specs/calendar.md §1.2"""
    taken = [NOON - timedelta(hours=4), NOON - timedelta(hours=2)]
    slot = next_post_slot(PLAN, "tiktok", NOON, taken)
    assert slot == datetime(2026, 6, 2, 6, 0, tzinfo=UTC)  # 09:00 in Addis (UTC+3)


def test_quiet_hours_and_windows_are_local_to_the_agent() -> None:
    """specs/calendar.md §1.2"""
    late = datetime(2026, 6, 1, 20, 30, tzinfo=UTC)  # 23:30 in Addis: quiet
    assert next_post_slot(PLAN, "instagram", late, []) == datetime(2026, 6, 2, 5, 0, tzinfo=UTC)


def test_a_platform_without_an_entry_gets_its_default_cadence() -> None:
    """specs/calendar.md §1.1"""
    cadence = PostingPlan().cadence("instagram")
    assert (cadence.max_per_day, cadence.min_spacing_minutes) == (2, 180)
    assert PostingPlan().cadence("mastodon").windows == ["08:00-22:00"]


def test_a_malformed_span_or_zone_is_refused() -> None:
    """specs/calendar.md §1.1"""
    with pytest.raises(ValidationError, match="HH:MM"):
        PostingPlan.model_validate({"quiet_hours": "25:00-07:00"})
    with pytest.raises(ValidationError, match="time zone"):
        PostingPlan.model_validate({"timezone": "Mars/Olympus"})


def test_replies_over_the_hourly_cap_wait_for_the_oldest_to_age_out() -> None:
    """specs/calendar.md §1.2"""
    taken = [NOON - timedelta(minutes=50), NOON - timedelta(minutes=10)]
    assert next_reply_slot(PLAN, NOON, taken) == NOON + timedelta(minutes=10)


def test_the_plan_clamps_proposed_times_and_spaces_posts_of_one_plan() -> None:
    """specs/calendar.md §1.3"""
    dag = TaskDAG(
        tasks=[
            PlannedTask(key="a", task_type=TaskType.PUBLISH_POST, params={"platform": "tiktok"}),
            PlannedTask(
                key="b",
                task_type=TaskType.PUBLISH_POST,
                params={"platform": "tiktok", "publish_at": "2020-01-01T00:00:00Z"},
            ),
            PlannedTask(
                key="c",
                task_type=TaskType.PUBLISH_POST,
                params={"platform": "tiktok", "publish_at": "not a time"},
            ),
        ]
    )
    out = schedule_dag(dag, PLAN, NOON, {}, [])
    times = [t.params["publish_at"] for t in out.tasks]
    assert times == ["2026-06-01T12:00:00Z", "2026-06-01T14:00:00Z", "2026-06-02T06:00:00Z"]
    assert schedule_dag(out, PLAN, NOON, {}, []) == out


def test_a_goal_naming_a_platform_targets_only_that_platform() -> None:
    """specs/calendar.md §4"""
    assert named_platforms("Promote the line on TikTok.") == ["tiktok"]
    assert target_platforms("Launch it on Instagram", ["tiktok", "instagram"], []) == ["instagram"]
    assert target_platforms("Launch it", ["tiktok", "instagram"], []) == ["tiktok", "instagram"]
    assert target_platforms("Launch it on TikTok", ["tiktok"], ["twitter"]) == ["twitter"]


def test_posts_a_planner_puts_on_untargeted_platforms_are_dropped() -> None:
    """specs/calendar.md §4"""
    dag = TaskDAG(
        tasks=[
            PlannedTask(key="t", task_type=TaskType.PUBLISH_POST, params={"platform": "tiktok"}),
            PlannedTask(key="i", task_type=TaskType.PUBLISH_POST, params={"platform": "instagram"}),
            PlannedTask(
                key="r",
                task_type=TaskType.REPLY_COMMENT,
                depends_on=["i", "t"],
                params={"platform": "tiktok"},
            ),
        ]
    )
    out = restrict(dag, ["tiktok"])
    assert [t.key for t in out.tasks] == ["t", "r"]
    assert out.tasks[1].depends_on == ["t"]
    assert restrict(dag, []) == dag
