"""Per-agent caps: the agent's budget row, updated in the same transaction as the campaign's.

Campaign caps alone leave an agent's spend unbounded (perception starts campaigns, each with
fresh caps). A reservation therefore makes two conditional UPDATEs in ONE database transaction:
the campaign row (`ledger._RESERVE`) and then the agent row (`_RESERVE_AGENT`, below), whose
WHERE clause holds the agent's `max_daily` and `max_monthly` (NULL: no cap). Concurrent
reservations of one agent queue on the agent row and Postgres re-evaluates the predicate on its
newest version, so payments spread over any number of campaigns can never push the agent past a
cap; when either predicate fails the whole transaction (claim, both holds) rolls back. The agent
row is always locked last and a transaction touches one campaign row, so the lock order is fixed
and the two updates cannot deadlock.

The caps are the wallet server's own records: created from the process settings
(`CHIMERA_AGENT_MAX_DAILY_USDC`, `CHIMERA_AGENT_MAX_MONTHLY_USDC`) on an agent's first payment,
changed by the operator tool `set_agent_caps`; callers' arguments never set them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from chimera.platform.db import Conn
from state.money import fmt


def month_of(day: date) -> date:
    """The first day of `day`'s month (the agent period)."""
    return day.replace(day=1)


async def ensure(
    conn: Conn, tenant_id: str, agent_id: str, asset: str, defaults: tuple[Decimal | None, ...]
) -> None:
    """Create the agent's budget row with the default caps unless it exists."""
    daily, monthly = defaults if asset == "USDC" else (None, None)
    await conn.execute(
        "INSERT INTO wallet_agent_budgets (tenant_id, agent_id, asset, max_daily, max_monthly)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
        (tenant_id, agent_id, asset, daily, monthly),
    )


async def set_caps(
    conn: Conn,
    tenant_id: str,
    agent_id: str,
    asset: str,
    max_daily: Decimal | None,
    max_monthly: Decimal | None,
) -> dict[str, Any]:
    """Set (replace) an agent's caps; running totals are kept."""
    row = await (
        await conn.execute(
            "INSERT INTO wallet_agent_budgets (tenant_id, agent_id, asset, max_daily, max_monthly)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (tenant_id, agent_id, asset) DO UPDATE"
            " SET max_daily = EXCLUDED.max_daily, max_monthly = EXCLUDED.max_monthly,"
            " updated_at = now() RETURNING *",
            (tenant_id, agent_id, asset, max_daily, max_monthly),
        )
    ).fetchone()
    assert row is not None
    return view(dict(row), row["spend_day"])


_RESERVE_AGENT = """
UPDATE wallet_agent_budgets SET
    spent_today = CASE WHEN spend_day = %(day)s THEN spent_today ELSE 0 END + %(amount)s,
    spend_day = %(day)s,
    spent_month = CASE WHEN spend_month = %(month)s THEN spent_month ELSE 0 END + %(amount)s,
    spend_month = %(month)s,
    updated_at = now()
WHERE agent_id = %(agent)s AND asset = %(asset)s
  AND (max_daily IS NULL OR
       CASE WHEN spend_day = %(day)s THEN spent_today ELSE 0 END + %(amount)s <= max_daily)
  AND (max_monthly IS NULL OR
       CASE WHEN spend_month = %(month)s THEN spent_month ELSE 0 END + %(amount)s <= max_monthly)
RETURNING spent_today, spent_month
"""


async def hold(conn: Conn, agent_id: str, asset: str, amount: Decimal, day: date) -> str | None:
    """Add `amount` to the agent's spend in the one conditional UPDATE `_RESERVE_AGENT`.

    Returns:
        None when it held (or the agent has no budget row: no agent caps), else the reason.

    """
    params = {
        "day": day,
        "month": month_of(day),
        "amount": amount,
        "agent": agent_id,
        "asset": asset,
    }
    if await (await conn.execute(_RESERVE_AGENT, params)).fetchone() is not None:
        return None
    row = await _row(conn, agent_id, asset)
    if row is None:
        return None
    current = view(row, day)
    for name, spent in (("max_daily", "spent_today"), ("max_monthly", "spent_month")):
        cap = row[name]
        if cap is not None and Decimal(current[spent]) + amount > cap:
            over = f"({fmt(Decimal(current[spent]) + amount)} > {fmt(cap)})"
            return f"agent {name} budget exceeded for agent {agent_id} {over}"
    return f"agent budget exceeded for agent {agent_id}"


async def release(conn: Conn, agent_id: str, asset: str, amount: Decimal, day: date) -> None:
    """Give a released hold back to the agent's day and month it was counted in."""
    await conn.execute(
        "UPDATE wallet_agent_budgets SET"
        " spent_today = CASE WHEN spend_day = %(day)s THEN spent_today - %(amount)s"
        " ELSE spent_today END,"
        " spent_month = CASE WHEN spend_month = %(month)s THEN spent_month - %(amount)s"
        " ELSE spent_month END, updated_at = now()"
        " WHERE agent_id = %(agent)s AND asset = %(asset)s",
        {"day": day, "month": month_of(day), "amount": amount, "agent": agent_id, "asset": asset},
    )


async def _row(conn: Conn, agent_id: str, asset: str) -> dict[str, Any] | None:
    found = await (
        await conn.execute(
            "SELECT * FROM wallet_agent_budgets WHERE agent_id = %s AND asset = %s",
            (agent_id, asset),
        )
    ).fetchone()
    return None if found is None else dict(found)


async def agent_budget(
    conn: Conn, agent_id: str, day: date, defaults: tuple[Decimal | None, ...] = (None, None)
) -> list[dict[str, Any]]:
    """The agent's caps and spend per asset as of `day`.

    An agent that never paid USDC has no row yet; it is shown with the default caps its first
    payment will get (`ensure`), so a caller checking ahead sees the caps that will apply.
    """
    rows = await (
        await conn.execute(
            "SELECT * FROM wallet_agent_budgets WHERE agent_id = %s ORDER BY asset", (agent_id,)
        )
    ).fetchall()
    found = [view(dict(r), day) for r in rows]
    if any(d is not None for d in defaults) and all(r["asset"] != "USDC" for r in found):
        daily, monthly = defaults
        found.append(
            {
                "agent_id": agent_id,
                "asset": "USDC",
                "max_daily": None if daily is None else fmt(daily),
                "max_monthly": None if monthly is None else fmt(monthly),
                "spent_today": "0.00",
                "spent_month": "0.00",
            }
        )
    return sorted(found, key=lambda r: str(r["asset"]))


def view(row: dict[str, Any], day: date) -> dict[str, Any]:
    """An agent budget row as JSON (spend of a past day or month reads as 0)."""
    today = row["spent_today"] if row["spend_day"] == day else Decimal(0)
    month = row["spent_month"] if row["spend_month"] == month_of(day) else Decimal(0)
    return {
        "agent_id": row["agent_id"],
        "asset": row["asset"],
        "max_daily": None if row["max_daily"] is None else fmt(row["max_daily"]),
        "max_monthly": None if row["max_monthly"] is None else fmt(row["max_monthly"]),
        "spent_today": fmt(today),
        "spent_month": fmt(month),
    }
