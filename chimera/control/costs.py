"""Costs by kind, each attributed to agent, campaign and task, read from the rows that hold them.

Three kinds (specs/economics.md §3.1, §3.4, §3.5): settled USDC payments (`wallet_transactions`;
the task is the payment's `metadata.task_id`), media generation (`media_assets`, at each asset's
stored cost; campaign and task are those of the first published post that attached it) and
LLM tokens (`llm_usage`, at the price recorded with each row; the planner's task is `plan`).
Each query groups its rows by (campaign, task), so the totals by kind and the breakdown by task
are sums of the same groups and always agree. Rows whose model had no price add tokens but no
cost, and the report names the model instead of inventing a price.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chimera.control.pnl_scope import PnlQuery, window
from chimera.platform.db import Conn
from state.money import fmt

KINDS = ("payments", "media", "llm")

_PAYMENTS = (
    "SELECT campaign_id, metadata->>'task_id' AS task_id, sum(amount) AS amount, count(*) AS n"
    " FROM wallet_transactions WHERE asset = 'USDC' AND status = 'settled'"
    " AND (%(campaign)s::text IS NULL OR campaign_id = %(campaign)s)"
    + window("settled_at")
    + " GROUP BY 1, 2"
)

# The first published post attaching each asset, found in one pass over the posts' arrays (a
# lookup per asset would scan every post once per asset: quadratic on a busy tenant).
_MEDIA = (
    "SELECT p.campaign_id, p.task_id, sum(a.estimated_cost_usd) AS amount, count(*) AS n"
    " FROM media_assets a LEFT JOIN (SELECT DISTINCT ON (m.asset_id) m.asset_id,"
    " s.tracking->>'campaign_id' AS campaign_id, s.tracking->>'task_id' AS task_id"
    " FROM social_posts s CROSS JOIN LATERAL unnest(s.media_ids) AS m(asset_id)"
    " WHERE s.status = 'published' ORDER BY m.asset_id, s.published_at, s.post_id) p"
    " ON p.asset_id = a.asset_id"
    " WHERE (%(campaign)s::text IS NULL OR p.campaign_id = %(campaign)s)"
    + window("a.created_at", agent="a.agent_id")
    + " GROUP BY 1, 2"
)

_LLM = (
    "SELECT campaign_id, task_id, model, sum(calls)::bigint AS calls,"
    " sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,"
    " coalesce(sum(cost_usd), 0) AS amount, count(*) AS n,"
    " count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced FROM llm_usage"
    " WHERE (%(campaign)s::text IS NULL OR campaign_id = %(campaign)s)"
    + window("created_at")
    + " GROUP BY 1, 2, 3"
)


@dataclass(frozen=True)
class CostLine:
    """One kind's cost of one (campaign, task): the sum of `count` rows (None: not attributed)."""

    kind: str
    campaign_id: str | None
    task_id: str | None
    amount: Decimal
    count: int


@dataclass(frozen=True)
class TokenLine:
    """One model's tokens in one (campaign, task); `unpriced` rows had no price (cost 0)."""

    campaign_id: str
    task_id: str
    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    amount: Decimal
    rows: int
    unpriced: int


@dataclass(frozen=True)
class Costs:
    """Every cost in a P&L scope, as lines by kind, campaign and task, plus the token detail."""

    lines: list[CostLine]
    tokens: list[TokenLine]

    def total(self, kind: str | None = None) -> Decimal:
        """The sum of one kind's lines, or of all of them."""
        return sum((c.amount for c in self.lines if kind in (None, c.kind)), Decimal(0))

    def by_kind(self) -> dict[str, str]:
        """`{total, payments, media, llm}` in USD."""
        return {"total": fmt(self.total())} | {k: fmt(self.total(k)) for k in KINDS}

    def count(self, kind: str) -> int:
        """How many rows of one kind were summed (LLM: usage rows)."""
        return sum(c.count for c in self.lines if c.kind == kind)

    def llm(self) -> dict[str, Any]:
        """Calls, tokens and cost per model, and the models that had no price."""
        models: dict[str, list[TokenLine]] = defaultdict(list)
        for t in self.tokens:
            models[t.model].append(t)
        rows = [_model_row(m, ts) for m, ts in sorted(models.items())]
        return {
            "calls": sum(t.calls for t in self.tokens),
            "input_tokens": sum(t.input_tokens for t in self.tokens),
            "output_tokens": sum(t.output_tokens for t in self.tokens),
            "cost": fmt(self.total("llm")),
            "models": rows,
            "unpriced_models": [r["model"] for r in rows if r["unpriced_tokens"]],
        }

    def warnings(self) -> list[str]:
        """One line per model whose tokens had no price (counted at 0.00, never guessed)."""
        return [
            f"no price for model {r['model']}: {r['unpriced_tokens']} tokens counted at 0.00 USD"
            " (add it to CHIMERA_LLM_PRICES)"
            for r in self.llm()["models"]
            if r["unpriced_tokens"]
        ]

    def by_task(self) -> list[dict[str, Any]]:
        """Costs by kind per (campaign, task); lines with no task are under `task_id` None."""
        groups: dict[tuple[str, str], list[CostLine]] = defaultdict(list)
        for c in self.lines:
            groups[(c.campaign_id or "", c.task_id or "")].append(c)
        return [
            {
                "campaign_id": campaign or None,
                "task_id": task or None,
                "costs": Costs(lines, []).by_kind(),
            }
            for (campaign, task), lines in sorted(groups.items())
        ]


def _model_row(model: str, lines: list[TokenLine]) -> dict[str, Any]:
    """One model's totals over its token lines."""
    unpriced = [t for t in lines if t.unpriced]
    return {
        "model": model,
        "calls": sum(t.calls for t in lines),
        "input_tokens": sum(t.input_tokens for t in lines),
        "output_tokens": sum(t.output_tokens for t in lines),
        "cost": fmt(sum((t.amount for t in lines), Decimal(0))),
        "unpriced_tokens": sum(t.input_tokens + t.output_tokens for t in unpriced),
    }


async def load_costs(conn: Conn, q: PnlQuery) -> Costs:
    """Every cost line of the query's scope (conn: the tenant's, under row-level security)."""
    params = q.params()
    lines: list[CostLine] = []
    for kind, query in (("payments", _PAYMENTS), ("media", _MEDIA)):
        for r in await (await conn.execute(query, params)).fetchall():
            lines.append(
                CostLine(kind, r["campaign_id"], r["task_id"], Decimal(r["amount"]), r["n"])
            )
    tokens = [
        TokenLine(
            r["campaign_id"],
            r["task_id"],
            r["model"],
            int(r["calls"]),
            int(r["input_tokens"]),
            int(r["output_tokens"]),
            Decimal(r["amount"]),
            int(r["n"]),
            int(r["unpriced"]),
        )
        for r in await (await conn.execute(_LLM, params)).fetchall()
    ]
    lines += [CostLine("llm", t.campaign_id, t.task_id, t.amount, t.rows) for t in tokens]
    return Costs(lines, tokens)
