"""P&L and ROI per agent and per campaign over a period, from the ledgers that hold the money.

One place computes it, so the CLI (`chimera pnl`) and a console chart agree. It reads, under the
tenant's row-level security, the rows the servers keep in the shared Postgres: income
(`wallet_income`, USDC), costs by kind (`chimera.control.costs`: settled USDC payments, media
generation, priced LLM tokens) and engagement (`social_engagement`, the newest snapshot per
post). USDC is counted as USD. Attribution: payments carry their campaign and task; income
carries a campaign when it paid a sponsor invoice; a media asset belongs to the campaign and
task of the post that attached it (assets no post attached count for the agent only); token
usage names its agent, campaign and task; a post's campaign is its `tracking.campaign_id`. The
period filters income by when it was recorded, payments by when they settled, media by
creation, tokens by when they were recorded and engagement by the post's publication time;
bounds are [start, end).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chimera.control.costs import Costs, load_costs
from chimera.control.pnl_scope import PnlQuery, window
from chimera.platform.db import Conn
from state.money import fmt

__all__ = ["PURPOSES", "PnlQuery", "by_campaign", "by_task", "pnl"]

PURPOSES = ("tip", "sponsorship", "refund")

_INCOME = (
    "SELECT purpose, coalesce(sum(amount), 0) AS total FROM wallet_income WHERE asset = 'USDC'"
    " AND (%(campaign)s::text IS NULL OR campaign_id = %(campaign)s)"
    + window("received_at")
    + " GROUP BY purpose"
)

_POSTS = (
    "SELECT post_id FROM social_posts WHERE status = 'published'"
    " AND (%(campaign)s::text IS NULL OR tracking->>'campaign_id' = %(campaign)s)"
    + window("published_at")
)

_ENGAGEMENT = (
    "SELECT coalesce(sum(views), 0) AS views, coalesce(sum(likes), 0) AS likes,"
    " coalesce(sum(comments), 0) AS comments, coalesce(sum(shares), 0) AS shares FROM"
    " (SELECT DISTINCT ON (post_id) * FROM social_engagement WHERE post_id = ANY(%(posts)s)"
    " ORDER BY post_id, age_hours DESC) newest"
)

_CAMPAIGNS = (
    "SELECT campaign_id FROM wallet_transactions WHERE status = 'settled'"
    + window("settled_at")
    + " UNION SELECT campaign_id FROM wallet_income WHERE campaign_id IS NOT NULL"
    + window("received_at")
    + " UNION SELECT tracking->>'campaign_id' FROM social_posts"
    " WHERE status = 'published' AND tracking ? 'campaign_id'"
    + window("published_at")
    + " UNION SELECT campaign_id FROM llm_usage WHERE true"
    + window("created_at")
    + " ORDER BY 1"
)


async def by_campaign(conn: Conn, q: PnlQuery) -> list[dict[str, Any]]:
    """`pnl` of each campaign with money or posts in the query's scope, by campaign id."""
    rows = await (await conn.execute(_CAMPAIGNS, q.params())).fetchall()
    return [
        await pnl(conn, PnlQuery(q.tenant_id, q.agent_id, r["campaign_id"], q.start, q.end))
        for r in rows
    ]


async def by_task(conn: Conn, q: PnlQuery) -> list[dict[str, Any]]:
    """Costs by kind per (campaign, task) in the query's scope; they add up to `pnl`'s costs."""
    return (await load_costs(conn, q)).by_task()


async def pnl(conn: Conn, q: PnlQuery) -> dict[str, Any]:
    """Income, costs by kind, net, engagement and ROI for the query (conn: the tenant's)."""
    params = q.params()
    rows = await (await conn.execute(_INCOME, params)).fetchall()
    income = {p: Decimal(0) for p in PURPOSES} | {r["purpose"]: r["total"] for r in rows}
    costs = await load_costs(conn, q)
    posts = [r["post_id"] for r in await (await conn.execute(_POSTS, params)).fetchall()]
    seen = await (await conn.execute(_ENGAGEMENT, {"posts": posts})).fetchone()
    assert seen is not None
    earned, spent = sum(income.values(), Decimal(0)), costs.total()
    return {
        "tenant_id": q.tenant_id,
        "agent_id": q.agent_id,
        "campaign_id": q.campaign_id,
        "from": None if q.start is None else q.start.isoformat(),
        "to": None if q.end is None else q.end.isoformat(),
        "currency": "USD",
        "income": {"total": fmt(earned), **{p: fmt(v) for p, v in income.items()}},
        "costs": costs.by_kind(),
        "llm": costs.llm(),
        "counts": _counts(costs, len(posts)),
        "net": fmt(earned - spent),
        "engagement": _engagement(seen),
        "roi": _roi(earned, spent, seen),
        "warnings": costs.warnings(),
    }


def _counts(costs: Costs, posts: int) -> dict[str, int]:
    return {
        "payments": costs.count("payments"),
        "media_assets": costs.count("media"),
        "llm_usage_rows": costs.count("llm"),
        "posts": posts,
    }


def _engagement(seen: dict[str, Any]) -> dict[str, int]:
    counts = {k: int(seen[k]) for k in ("views", "likes", "comments", "shares")}
    return {**counts, "engagements": counts["likes"] + counts["comments"] + counts["shares"]}


def _roi(earned: Decimal, costs: Decimal, seen: dict[str, Any]) -> dict[str, str | None]:
    """Cost per thousand views, per engagement, and net over costs (None: nothing to divide by)."""
    views = int(seen["views"])
    engagements = int(seen["likes"]) + int(seen["comments"]) + int(seen["shares"])
    return {
        "cost_per_thousand_views": _ratio(costs * 1000, views),
        "cost_per_engagement": _ratio(costs, engagements),
        "return_on_cost": _ratio(earned - costs, costs),
    }


def _ratio(top: Decimal, bottom: Decimal | int) -> str | None:
    """`top / bottom` to 4 decimals, or None when `bottom` is 0."""
    return fmt((top / bottom).quantize(Decimal("0.0001"))) if bottom else None
