"""Slot finding: the earliest time a post (or reply) may go out under an agent's posting plan.

Pure functions of the plan, the earliest wanted time and the times already taken, so the planner
(which proposes), the commit step (which enforces) and tests (which control the clock) agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from state.contracts import TaskType
from state.plan import TaskDAG
from state.posting import PostingPlan, span_minutes
from state.types import parse_utc, to_utc_z

PUBLISHING = frozenset({TaskType.PUBLISH_POST.value, TaskType.REPLY_COMMENT.value})
_MAX_STEPS = 5000
_HOUR = timedelta(hours=1)


class ScheduleError(ValueError):
    """No slot could be found (the plan leaves no room within the search horizon)."""


def _occurrences(
    span: str, moment: datetime, zone: ZoneInfo
) -> Iterator[tuple[datetime, datetime]]:
    """The span's occurrences on the local days around `moment` (yesterday to tomorrow)."""
    start_min, end_min = span_minutes(span)
    day = moment.astimezone(zone).date()
    for offset in (-1, 0, 1):
        local_day = day + timedelta(days=offset)
        start = _local(local_day, zone) + timedelta(minutes=start_min)
        yield start, start + timedelta(minutes=end_min - start_min)


def _local(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def _leave_span(span: str | None, moment: datetime, zone: ZoneInfo) -> datetime | None:
    """The end of the occurrence of `span` containing `moment`, or None outside it."""
    if span is None:
        return None
    for start, end in _occurrences(span, moment, zone):
        if start <= moment < end:
            return end
    return None


def _enter_windows(windows: Sequence[str], moment: datetime, zone: ZoneInfo) -> datetime | None:
    """None inside a window, else the next window start."""
    starts = []
    for span in windows:
        for start, end in _occurrences(span, moment, zone):
            if start <= moment < end:
                return None
            if start > moment:
                starts.append(start)
    return min(starts)


def _spacing(moment: datetime, taken: Sequence[datetime], gap: timedelta) -> datetime | None:
    clashes = [t for t in taken if abs(t - moment) < gap]
    return max(clashes) + gap if clashes else None


def _day_cap(
    moment: datetime, taken: Sequence[datetime], cap: int, zone: ZoneInfo
) -> datetime | None:
    day = moment.astimezone(zone).date()
    if sum(1 for t in taken if t.astimezone(zone).date() == day) < cap:
        return None
    return _local(day + timedelta(days=1), zone)


def next_post_slot(
    plan: PostingPlan, platform: str, earliest: datetime, taken: Sequence[datetime]
) -> datetime:
    """The earliest time >= `earliest` a post may go out on `platform`.

    Args:
        plan: The agent's posting plan.
        platform: The platform of the post.
        earliest: Not before this (aware datetime; usually now or the proposed time).
        taken: Times of the agent's other posts on that platform (published or scheduled).

    Returns:
        The slot: outside quiet hours, inside a window, spaced, under the daily cap.

    Raises:
        ScheduleError: no slot was found within the search horizon.

    """
    cadence, zone = plan.cadence(platform), plan.zone
    gap = timedelta(minutes=cadence.min_spacing_minutes)
    moment = earliest
    for _ in range(_MAX_STEPS):
        moved = (
            _leave_span(plan.quiet_hours, moment, zone)
            or _enter_windows(cadence.windows, moment, zone)
            or _spacing(moment, taken, gap)
            or _day_cap(moment, taken, cadence.max_per_day, zone)
        )
        if moved is None:
            return moment
        moment = moved
    raise ScheduleError(f"no free {platform} slot after {to_utc_z(earliest)}")


def next_reply_slot(plan: PostingPlan, earliest: datetime, taken: Sequence[datetime]) -> datetime:
    """The earliest time >= `earliest` a reply may go out: out of quiet hours, under the hourly cap.

    Args:
        plan: The agent's posting plan.
        earliest: Not before this.
        taken: Times of the agent's other replies (any platform).

    Returns:
        The slot.

    """
    moment = earliest
    for _ in range(_MAX_STEPS):
        recent = sorted(t for t in taken if moment - _HOUR < t <= moment)
        moved = _leave_span(plan.quiet_hours, moment, plan.zone) or (
            recent[0] + _HOUR if len(recent) >= plan.replies_per_hour else None
        )
        if moved is None:
            return moment
        moment = moved
    raise ScheduleError(f"no free reply slot after {to_utc_z(earliest)}")


def _proposed(value: str | None, now: datetime) -> datetime:
    """A planner's proposed time, validated: unparseable or past proposals become `now`."""
    if not value or not value.endswith("Z"):
        return now
    try:
        return max(now, parse_utc(value))
    except ValueError:
        return now


def schedule_dag(
    dag: TaskDAG,
    plan: PostingPlan,
    now: datetime,
    posts: dict[str, list[datetime]],
    replies: list[datetime],
) -> TaskDAG:
    """Give every publishing task a `publish_at` in its next free slot (proposals are clamped).

    Args:
        dag: The planner's DAG (LLM proposals in `params.publish_at` are kept when allowed).
        plan: The agent's posting plan.
        now: The current time (aware).
        posts: Times already taken per platform (the agent's published and scheduled posts).
        replies: Times already taken by the agent's replies.

    Returns:
        The DAG with `params.publish_at` set on each publishing task.

    """
    posts = {k: list(v) for k, v in posts.items()}
    replies = list(replies)
    tasks = []
    for task in dag.tasks:
        if task.task_type not in PUBLISHING or "platform" not in task.params:
            tasks.append(task)
            continue
        earliest = _proposed(task.params.get("publish_at"), now)
        if task.task_type == TaskType.REPLY_COMMENT.value:
            slot = next_reply_slot(plan, earliest, replies)
            replies.append(slot)
        else:
            platform = task.params["platform"]
            slot = next_post_slot(plan, platform, earliest, posts.get(platform, []))
            posts.setdefault(platform, []).append(slot)
        tasks.append(
            task.model_copy(update={"params": {**task.params, "publish_at": to_utc_z(slot)}})
        )
    return dag.model_copy(update={"tasks": tasks})
