"""Token usage per campaign task and role (`llm_usage`), the ledger of model costs.

Nodes meter their strategy calls (`chimera.strategies.usage`) and append what they spent here,
priced at the per-model table in force (specs/economics.md §3.4): each row carries its agent,
campaign and task, the price and the cost, or no price and no cost when the model has none.
P&L (`chimera.control.costs`) and `chimera campaign usage` read the rows back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chimera.platform.db import Conn, Pool, tenant_tx
from chimera.platform.llm_prices import TokenPrice, find_price
from chimera.strategies.usage import Meter, Usage
from state.money import fmt
from state.records import RunRef

PLAN_TASK = "plan"
"""The task id the planner's usage is recorded under (a plan is not a task)."""

_INSERT = (
    "INSERT INTO llm_usage (tenant_id, agent_id, campaign_id, thread_id, task_id, role, model,"
    " prompt_version, calls, input_tokens, output_tokens, input_usd_per_1k, output_usd_per_1k,"
    " cost_usd) VALUES (%(tenant_id)s, %(agent_id)s, %(campaign_id)s, %(thread_id)s,"
    " %(task_id)s, %(role)s, %(model)s, %(prompt_version)s, %(calls)s, %(input_tokens)s,"
    " %(output_tokens)s, %(input_price)s, %(output_price)s, %(cost)s)"
)
_PER_TASK = (
    "SELECT task_id, role, model, prompt_version, sum(calls)::int AS calls,"
    " sum(input_tokens)::int AS input_tokens, sum(output_tokens)::int AS output_tokens,"
    " sum(cost_usd) AS cost_usd"
    " FROM llm_usage WHERE campaign_id = %s"
    " GROUP BY task_id, role, model, prompt_version ORDER BY task_id, role"
)


@dataclass(frozen=True)
class UsageOwner:
    """Whose tokens a node spent: the run's tenant, agent, campaign and thread, and the task."""

    tenant_id: str
    agent_id: str
    campaign_id: str
    thread_id: str
    task_id: str

    @classmethod
    def of(cls, run: RunRef, task_id: str) -> UsageOwner:
        """The owner of a task's (or, with `PLAN_TASK`, the plan's) usage in a run."""
        return cls(run.tenant_id, run.agent_id, run.campaign_id, run.thread_id, task_id)


def _row(owner: UsageOwner, u: Usage, price: TokenPrice | None) -> dict[str, Any]:
    """The insert parameters of one meter entry, priced (or not: no price, no cost)."""
    return {
        **vars(owner),
        "role": u.role,
        "model": u.model,
        "prompt_version": u.prompt_version,
        "calls": u.calls,
        "input_tokens": u.input_tokens,
        "output_tokens": u.output_tokens,
        "input_price": None if price is None else price.input_per_1k,
        "output_price": None if price is None else price.output_per_1k,
        "cost": None if price is None else price.cost(u.input_tokens, u.output_tokens),
    }


async def record(
    conn: Conn, owner: UsageOwner, meter: Meter, prices: Mapping[str, TokenPrice]
) -> int:
    """Append one priced row per (role, model) the meter saw; returns how many."""
    for u in meter.entries.values():
        await conn.execute(_INSERT, _row(owner, u, find_price(prices, u.model)))
    return len(meter.entries)


async def per_task(conn: Conn, campaign_id: str) -> list[dict[str, Any]]:
    """A campaign's usage summed per task, role, model and prompt version, with its USD cost.

    `cost_usd` is None when none of the rows had a price (the model is not in the table).
    """
    rows = await (await conn.execute(_PER_TASK, (campaign_id,))).fetchall()
    return [{**r, "cost_usd": None if r["cost_usd"] is None else fmt(r["cost_usd"])} for r in rows]


async def save(
    pool: Pool, owner: UsageOwner, meter: Meter, prices: Mapping[str, TokenPrice]
) -> int:
    """`record` in its own tenant transaction; no round-trip when no model was called."""
    if not meter.entries:
        return 0
    async with tenant_tx(pool, owner.tenant_id) as conn:
        return await record(conn, owner, meter, prices)
