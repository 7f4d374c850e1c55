"""The content calendar: a week of scheduled and published posts per agent and platform.

Reads `chimera.control.calendar.list_posts`; cancel and reschedule call `calendar.cancel` and
`calendar.reschedule` after `reviewers.authorize` with the operator roles, as `chimera posts
cancel|reschedule` does, so whichever of an operator and the outbox commits first wins and the
intervention is audited. A new time is validated here first (a date and time, UTC, in the future,
within a year) and a refusal is shown on the post with its reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from starlette.responses import Response

from chimera.control import calendar, reviewers
from chimera.platform.db import tenant_tx
from chimera.serving.console.web import Page
from state.types import to_utc_z

MOST = 500
"""Posts shown in one week (filter by agent or platform to see the rest)."""
AHEAD = timedelta(days=366)
"""The latest a post may be moved to, from now."""

__all__ = ["act", "parse_slot", "week"]


def monday_of(raw: str | None, today: date) -> date:
    """The Monday of the week holding `raw` (YYYY-MM-DD), else of `today`'s week."""
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    return day - timedelta(days=day.weekday())


def parse_slot(raw: str, now: datetime) -> datetime:
    """A new slot from the form: `YYYY-MM-DDTHH:MM` in UTC (or ISO with an offset), in the future.

    Raises:
        ValueError: empty, not a date and time, in the past, or more than a year ahead.

    """
    value = raw.strip()
    if not value:
        raise ValueError("give the new time, e.g. 2026-12-05T14:30 (UTC)")
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a date and time; use YYYY-MM-DDTHH:MM (UTC)") from None
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    if at <= now:
        raise ValueError(f"{to_utc_z(at)} is in the past; pick a time after {to_utc_z(now)}")
    if at > now + AHEAD:
        raise ValueError(f"{to_utc_z(at)} is more than a year ahead")
    return at


@dataclass(frozen=True)
class Refusal:
    """A refused intervention, shown on its post: the reason and what the operator typed."""

    post_id: str
    reason: str
    notice: str
    typed: str = ""
    status: int = 422


def _filters(source: Mapping[str, Any]) -> dict[str, str | None]:
    return {k: str(source.get(k) or "").strip() or None for k in ("agent", "platform")}


def _days(rows: list[dict[str, Any]], monday: date) -> list[dict[str, Any]]:
    """The seven days of the week, each with its posts grouped by (agent, platform)."""
    by_day: dict[date, dict[tuple[str, str], list[dict[str, Any]]]] = defaultdict(dict)
    for row in rows:
        slot = row["publish_at"] or row["published_at"]
        row["slot"] = slot
        by_day[slot.date()].setdefault((row["agent_id"], row["platform"]), []).append(row)
    days = [monday + timedelta(days=i) for i in range(7)]
    return [{"day": d, "groups": sorted(by_day.get(d, {}).items())} for d in days]


async def week(
    page: Page, *, form: Mapping[str, Any] | None = None, refused: Refusal | None = None
) -> Response:
    """The week page (week and filters from the query, or from the refused form)."""
    source = form if form is not None else page.request.query_params
    monday = monday_of(str(source.get("week") or ""), datetime.now(UTC).date())
    start = datetime.combine(monday, datetime.min.time(), UTC)
    filters = _filters(source)
    async with tenant_tx(page.svc.pool, page.tenant) as conn:
        rows = await calendar.list_posts(
            conn, agent_id=filters["agent"], start=start, end=start + timedelta(days=7), limit=MOST
        )
    if filters["platform"]:
        rows = [r for r in rows if r["platform"] == filters["platform"]]
    query = urlencode({k: v for k, v in filters.items() if v})
    return page.render(
        "calendar.html",
        200 if refused is None else refused.status,
        monday=monday,
        prev=monday - timedelta(days=7),
        next=monday + timedelta(days=7),
        days=_days(rows, monday),
        total=len(rows),
        most=MOST,
        filters=filters,
        query=f"&{query}" if query else "",
        refused=refused,
        notice=refused.notice if refused else page.request.query_params.get("notice"),
    )


async def _apply(page: Page, post_id: str, at: datetime | None) -> dict[str, Any]:
    async with tenant_tx(page.svc.pool, page.tenant) as conn:
        who = await reviewers.authorize(conn, page.principal.user, reviewers.OPERATOR_ROLES)
        if at is None:
            return await calendar.cancel(conn, page.tenant, post_id, str(who["id"]))
        return await calendar.reschedule(conn, page.tenant, post_id, at, str(who["id"]))


async def act(page: Page, post_id: str, action: str) -> Response:
    """POST cancel or reschedule of one scheduled post.

    Raises:
        PostNotFound: not this tenant's post (the app answers 404).

    """
    form = await page.form()
    verb = "cancelled" if action == "cancel" else "rescheduled"
    typed = str(form.get("at") or "")
    try:
        at = None if action == "cancel" else parse_slot(typed, datetime.now(UTC))
        row = await _apply(page, post_id, at)
    except (ValueError, reviewers.NotAuthorized) as exc:
        # CalendarError is a ValueError: the post was published or cancelled meanwhile.
        status = 403 if isinstance(exc, reviewers.NotAuthorized) else 422
        refused = Refusal(post_id, str(exc), f"Not {verb}: {exc}", typed, status)
        return await week(page, form=form, refused=refused)
    notice = f"{row['post_id']} {verb}" + (f" to {to_utc_z(at)}." if at else ".")
    keep = {k: str(form.get(k) or "") for k in ("week", "agent", "platform") if form.get(k)}
    return page.redirect(
        f"/console/calendar?{urlencode(keep | {'notice': notice}, quote_via=quote)}"
    )
