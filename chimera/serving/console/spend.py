"""Engagement and spend: posts, engagement snapshots, spend against caps, income and P&L.

Money and engagement totals come from `chimera.control.pnl` (the code behind `chimera pnl`), per
tenant, agent and campaign over a period; the daily series from `dashboard.engagement_per_day`
(the same posts and snapshot rule); caps and spend today from the wallet server
(`agents.budgets`). Every chart has a table with the same numbers next to it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from chimera.control import dashboard
from chimera.control.pnl import PnlQuery, by_campaign, pnl
from chimera.platform.db import Conn, tenant_tx
from chimera.serving.console import agents
from chimera.serving.console.charts import bars, meters
from chimera.serving.console.web import Page

DEFAULT_DAYS = 30
"""The period shown when the page names none: the last 30 days, today included."""
MONEY = " USD"

__all__ = ["page_period", "spend"]


def page_period(raw_from: str | None, raw_to: str | None, today: date) -> tuple[date, date]:
    """The period `[from, to)` in days from the query (YYYY-MM-DD), else the last 30 days.

    Raises:
        ValueError: a bound is not a date, or `from` is not before `to`.

    """
    try:
        end = date.fromisoformat(raw_to) if raw_to else today + timedelta(days=1)
        start = date.fromisoformat(raw_from) if raw_from else end - timedelta(days=DEFAULT_DAYS)
    except ValueError:
        raise ValueError("from and to must be dates like 2026-12-01") from None
    if start >= end:
        raise ValueError("from must be before to")
    return start, end


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def _money(value: str) -> float:
    return float(Decimal(value))


def _charts(
    report: dict[str, Any], per_agent: list[dict[str, Any]], days: list[dict[str, Any]]
) -> dict[str, Any]:
    """The page's SVG charts from the report, the per-agent reports and the daily series."""
    costs = report["costs"]
    money = [
        ("Income", _money(report["income"]["total"])),
        ("Payments", _money(costs["payments"])),
        ("Media", _money(costs["media"])),
        ("LLM", _money(costs["llm"])),
        ("Net", _money(report["net"])),
    ]
    nets = [(str(r["agent_id"]), _money(r["net"])) for r in per_agent]
    return {
        "money": bars("Income, costs and net", money, MONEY, decimals=2),
        "nets": bars("Net per agent", nets, MONEY, decimals=2),
        "posts": bars("Published posts per day", [(d["day"], float(d["posts"])) for d in days]),
        "views": bars(
            "Views per day (newest snapshot)", [(d["day"], float(d["views"])) for d in days]
        ),
        "engagements": bars(
            "Engagements per day (likes, comments, shares)",
            [(d["day"], float(d["engagements"])) for d in days],
        ),
    }


async def _reports(conn: Conn, q: PnlQuery) -> dict[str, Any]:
    """The scope's P&L, each agent's, the daily series, and one agent's campaigns' P&L.

    Campaigns only for one agent: a tenant's are many, and one P&L each would outgrow the page.
    """
    ids = [q.agent_id] if q.agent_id else await dashboard.agent_ids(conn)
    return {
        "report": await pnl(conn, q),
        "campaigns": await by_campaign(conn, q) if q.agent_id else [],
        "per_agent": [await pnl(conn, PnlQuery(q.tenant_id, a, None, q.start, q.end)) for a in ids],
        "days": await dashboard.engagement_per_day(conn, q),
    }


async def spend(page: Page) -> Response:
    """The page for `?agent=&from=&to=` (dates; `to` exclusive)."""
    params = page.request.query_params
    agent = (params.get("agent") or "").strip() or None
    today = datetime.now(UTC).date()
    notice = None
    try:
        start, end = page_period(params.get("from"), params.get("to"), today)
    except ValueError as exc:
        notice = f"Not shown as asked: {exc}; showing the last {DEFAULT_DAYS} days."
        start, end = page_period(None, None, today)
    q = PnlQuery(page.tenant, agent, None, _at(start), _at(end))
    async with tenant_tx(page.svc.pool, page.tenant) as conn:
        found = await _reports(conn, q)
    caps = await agents.budgets(page, [str(r["agent_id"]) for r in found["per_agent"]])
    return page.render(
        "spend.html",
        **found,
        charts=_charts(found["report"], found["per_agent"], found["days"]),
        today_chart=meters(
            "Spend today against the daily cap",
            agents.meter_rows(caps, "spent_today", "max_daily"),
            " USDC",
        ),
        month_chart=meters(
            "Spend this month against the monthly cap",
            agents.meter_rows(caps, "spent_month", "max_monthly"),
            " USDC",
        ),
        caps=caps,
        agent=agent,
        start=start,
        end=end,
        notice=notice,
    )
