"""Token usage per campaign task and role (`llm_usage`), the ledger of model costs.

Nodes meter their strategy calls (`chimera.strategies.usage`) and append what they spent here;
reports and `chimera campaign usage` read the totals back per task.
"""

from __future__ import annotations

from typing import Any

from chimera.platform.db import Conn, Pool, tenant_tx
from chimera.strategies.usage import Meter

PLAN_TASK = "plan"
"""The task id the planner's usage is recorded under (a plan is not a task)."""

_INSERT = (
    "INSERT INTO llm_usage (tenant_id, campaign_id, thread_id, task_id, role, model,"
    " prompt_version, calls, input_tokens, output_tokens)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_PER_TASK = (
    "SELECT task_id, role, model, prompt_version, sum(calls)::int AS calls,"
    " sum(input_tokens)::int AS input_tokens, sum(output_tokens)::int AS output_tokens"
    " FROM llm_usage WHERE campaign_id = %s"
    " GROUP BY task_id, role, model, prompt_version ORDER BY task_id, role"
)


async def record(
    conn: Conn, *, tenant_id: str, campaign_id: str, thread_id: str, task_id: str, meter: Meter
) -> int:
    """Append one row per (role, model) the meter saw; returns how many."""
    for u in meter.entries.values():
        await conn.execute(
            _INSERT,
            (
                tenant_id,
                campaign_id,
                thread_id,
                task_id,
                u.role,
                u.model,
                u.prompt_version,
                u.calls,
                u.input_tokens,
                u.output_tokens,
            ),
        )
    return len(meter.entries)


async def per_task(conn: Conn, campaign_id: str) -> list[dict[str, Any]]:
    """A campaign's usage summed per task, role, model and prompt version."""
    return list(await (await conn.execute(_PER_TASK, (campaign_id,))).fetchall())


async def save(
    pool: Pool, *, tenant_id: str, campaign_id: str, thread_id: str, task_id: str, meter: Meter
) -> int:
    """`record` in its own tenant transaction; no round-trip when no model was called."""
    if not meter.entries:
        return 0
    async with tenant_tx(pool, tenant_id) as conn:
        return await record(
            conn,
            tenant_id=tenant_id,
            campaign_id=campaign_id,
            thread_id=thread_id,
            task_id=task_id,
            meter=meter,
        )
