"""P&L and ROI per agent and per campaign over a period, from the ledgers that hold the money.

One place computes it, so the CLI (`chimera pnl`) and a console chart agree. It reads, under the
tenant's row-level security, the rows the servers keep in the shared Postgres: income
(`wallet_income`, USDC), payments (`wallet_transactions`, settled USDC), media generation
(`media_assets.estimated_cost_usd`) and engagement (`social_engagement`, the newest snapshot per
post). USDC is counted as USD. Attribution: payments carry their campaign; income carries one
when it paid a sponsor invoice; a media asset belongs to the campaign of the post that attached
it (assets no post attached count for the agent only); a post's campaign is its
`tracking.campaign_id`. The period filters income by when it was recorded, payments by when they
settled, media by creation and engagement by the post's publication time; bounds are
[start, end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from chimera.platform.db import Conn
from state.money import fmt

PURPOSES = ("tip", "sponsorship", "refund")


@dataclass(frozen=True)
class PnlQuery:
    """What to report: one tenant, optionally one agent and/or campaign, over [start, end)."""

    tenant_id: str
    agent_id: str | None = None
    campaign_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def params(self) -> dict[str, Any]:
        """SQL parameters shared by every query below."""
        return {
            "agent": self.agent_id,
            "campaign": self.campaign_id,
            "start": self.start,
            "end": self.end,
        }


_WINDOW = (
    " AND (%(agent)s::text IS NULL OR agent_id = %(agent)s)"
    " AND (%(start)s::timestamptz IS NULL OR {at} >= %(start)s)"
    " AND (%(end)s::timestamptz IS NULL OR {at} < %(end)s)"
)

_INCOME = (
    "SELECT purpose, coalesce(sum(amount), 0) AS total FROM wallet_income WHERE asset = 'USDC'"
    " AND (%(campaign)s::text IS NULL OR campaign_id = %(campaign)s)"
    + _WINDOW.format(at="received_at")
    + " GROUP BY purpose"
)

_PAYMENTS = (
    "SELECT coalesce(sum(amount), 0) AS total, count(*) AS n FROM wallet_transactions"
    " WHERE asset = 'USDC' AND status = 'settled'"
    " AND (%(campaign)s::text IS NULL OR campaign_id = %(campaign)s)"
    + _WINDOW.format(at="settled_at")
)

_POSTS = (
    "SELECT post_id, media_ids FROM social_posts WHERE status = 'published'"
    " AND (%(campaign)s::text IS NULL OR tracking->>'campaign_id' = %(campaign)s)"
    + _WINDOW.format(at="published_at")
)

_MEDIA = (
    "SELECT coalesce(sum(estimated_cost_usd), 0) AS total, count(*) AS n FROM media_assets"
    " WHERE (%(campaign)s::text IS NULL OR asset_id = ANY(%(assets)s))"
    + _WINDOW.format(at="created_at")
)

_ENGAGEMENT = (
    "SELECT coalesce(sum(views), 0) AS views, coalesce(sum(likes), 0) AS likes,"
    " coalesce(sum(comments), 0) AS comments, coalesce(sum(shares), 0) AS shares FROM"
    " (SELECT DISTINCT ON (post_id) * FROM social_engagement WHERE post_id = ANY(%(posts)s)"
    " ORDER BY post_id, age_hours DESC) newest"
)


_CAMPAIGNS = (
    "SELECT campaign_id FROM wallet_transactions WHERE status = 'settled'"
    + _WINDOW.format(at="settled_at")
    + " UNION SELECT campaign_id FROM wallet_income WHERE campaign_id IS NOT NULL"
    + _WINDOW.format(at="received_at")
    + " UNION SELECT tracking->>'campaign_id' FROM social_posts"
    " WHERE status = 'published' AND tracking ? 'campaign_id'"
    + _WINDOW.format(at="published_at")
    + " ORDER BY 1"
)


async def by_campaign(conn: Conn, q: PnlQuery) -> list[dict[str, Any]]:
    """`pnl` of each campaign with money or posts in the query's scope, by campaign id."""
    rows = await (await conn.execute(_CAMPAIGNS, q.params())).fetchall()
    return [
        await pnl(conn, PnlQuery(q.tenant_id, q.agent_id, r["campaign_id"], q.start, q.end))
        for r in rows
    ]


async def _one(conn: Conn, query: str, params: dict[str, Any]) -> dict[str, Any]:
    row = await (await conn.execute(query, params)).fetchone()
    assert row is not None
    return dict(row)


async def pnl(conn: Conn, q: PnlQuery) -> dict[str, Any]:
    """Income, costs by kind, net, engagement and ROI for the query (conn: the tenant's)."""
    params = q.params()
    rows = await (await conn.execute(_INCOME, params)).fetchall()
    income = {p: Decimal(0) for p in PURPOSES} | {r["purpose"]: r["total"] for r in rows}
    payments = await _one(conn, _PAYMENTS, params)
    posts = [dict(r) for r in await (await conn.execute(_POSTS, params)).fetchall()]
    attached = sorted({m for p in posts for m in p["media_ids"]})
    media = await _one(conn, _MEDIA, {**params, "assets": attached})
    seen = await _one(conn, _ENGAGEMENT, {"posts": [p["post_id"] for p in posts]})
    earned = sum(income.values(), Decimal(0))
    costs = Decimal(payments["total"]) + Decimal(media["total"])
    return {
        "tenant_id": q.tenant_id,
        "agent_id": q.agent_id,
        "campaign_id": q.campaign_id,
        "from": None if q.start is None else q.start.isoformat(),
        "to": None if q.end is None else q.end.isoformat(),
        "currency": "USD",
        "income": {"total": fmt(earned), **{p: fmt(v) for p, v in income.items()}},
        "costs": {
            "total": fmt(costs),
            "payments": fmt(Decimal(payments["total"])),
            "media": fmt(Decimal(media["total"])),
        },
        "counts": {"payments": payments["n"], "media_assets": media["n"], "posts": len(posts)},
        "net": fmt(earned - costs),
        "engagement": _engagement(seen),
        "roi": _roi(earned, costs, seen),
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
