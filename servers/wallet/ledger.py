"""The budget ledger: reserve -> (pending) -> settle | release, in Postgres under RLS.

A reservation is ONE conditional write: an UPDATE of the campaign's budget row whose WHERE
clause holds every cap (`max_per_tx`, `max_daily`, `max_campaign_total`, each the stricter of
the stored cap and the caller's guard), followed in the same transaction by the agent's row
(`agent_caps`: `max_daily`, `max_monthly` across all of the agent's campaigns). Postgres
re-evaluates each predicate on the newest row version when concurrent updates queue on the row,
so N parallel requests can never push the totals past a cap. The transaction row (keyed by the
idempotency key) is inserted in the same database transaction; when a cap predicate fails, all of
it rolls back: nothing is reserved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from chimera.platform.db import Conn
from servers.wallet import agent_caps
from state.money import fmt


@dataclass(frozen=True)
class Caps:
    """Spending caps of one campaign and asset (None: not given by this caller)."""

    max_per_tx: Decimal | None
    max_daily: Decimal | None
    max_campaign_total: Decimal | None


@dataclass(frozen=True)
class Hold:
    """What a reservation is about (validated before it reaches the ledger)."""

    tenant_id: str
    agent_id: str
    wallet_id: str
    campaign_id: str
    network: str
    asset: str
    amount: Decimal
    to_address: str
    purpose: str
    metadata: dict[str, Any]


class CapExceeded(Exception):
    """The reservation would break a cap; nothing was written."""


def today() -> date:
    """The ledger's day (UTC)."""
    return datetime.now(UTC).date()


async def ensure_budget(conn: Conn, hold: Hold, caps: Caps) -> bool:
    """Create the campaign budget from the first complete guard; True if a budget exists."""
    if None not in (caps.max_per_tx, caps.max_daily, caps.max_campaign_total):
        await conn.execute(
            "INSERT INTO wallet_budgets (tenant_id, campaign_id, asset, max_per_tx, max_daily,"
            " max_campaign_total) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                hold.tenant_id,
                hold.campaign_id,
                hold.asset,
                caps.max_per_tx,
                caps.max_daily,
                caps.max_campaign_total,
            ),
        )
    row = await (
        await conn.execute(
            "SELECT 1 FROM wallet_budgets WHERE campaign_id = %s AND asset = %s",
            (hold.campaign_id, hold.asset),
        )
    ).fetchone()
    return row is not None


async def existing(conn: Conn, key: str) -> dict[str, Any] | None:
    """The transaction recorded under an idempotency key, if any."""
    row = await (
        await conn.execute("SELECT * FROM wallet_transactions WHERE idempotency_key = %s", (key,))
    ).fetchone()
    return None if row is None else dict(row)


_RESERVE = """
UPDATE wallet_budgets SET
    spent_today = CASE WHEN spend_day = %(day)s THEN spent_today ELSE 0 END + %(amount)s,
    spend_day = %(day)s,
    spent_total = spent_total + %(amount)s,
    updated_at = now()
WHERE campaign_id = %(campaign)s AND asset = %(asset)s
  AND %(amount)s <= LEAST(max_per_tx, COALESCE(%(per_tx)s, max_per_tx))
  AND CASE WHEN spend_day = %(day)s THEN spent_today ELSE 0 END + %(amount)s
      <= LEAST(max_daily, COALESCE(%(daily)s, max_daily))
  AND spent_total + %(amount)s
      <= LEAST(max_campaign_total, COALESCE(%(total)s, max_campaign_total))
RETURNING spent_today, spent_total
"""


async def _claim(conn: Conn, hold: Hold, key: str, digest: str, tx_id: str) -> bool:
    """Insert the `reserved` row `tx_id` under `key` (with the payload's `digest`).

    Returns:
        True when this call claimed the key, False when a row already holds it.

    """
    claimed = await (
        await conn.execute(
            "INSERT INTO wallet_transactions (tx_id, tenant_id, idempotency_key, payload_hash,"
            " wallet_id, agent_id, campaign_id, network, asset, amount, to_address, purpose,"
            " status, spend_day, metadata) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, 'reserved', %s, %s) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING"
            " RETURNING tx_id",
            (
                tx_id,
                hold.tenant_id,
                key,
                digest,
                hold.wallet_id,
                hold.agent_id,
                hold.campaign_id,
                hold.network,
                hold.asset,
                hold.amount,
                hold.to_address,
                hold.purpose,
                today(),
                Jsonb(hold.metadata),
            ),
        )
    ).fetchone()
    return claimed is not None


async def _hold(conn: Conn, hold: Hold, caps: Caps) -> bool:
    """Add `hold.amount` to the campaign's spend in the one conditional UPDATE `_RESERVE`.

    Returns:
        True when every cap held and the spend was added, False when nothing was updated.

    """
    params = {
        "day": today(),
        "amount": hold.amount,
        "campaign": hold.campaign_id,
        "asset": hold.asset,
        "per_tx": caps.max_per_tx,
        "daily": caps.max_daily,
        "total": caps.max_campaign_total,
    }
    return await (await conn.execute(_RESERVE, params)).fetchone() is not None


async def reserve(conn: Conn, hold: Hold, caps: Caps, key: str, digest: str) -> str | None:
    """Claim `key` and hold `hold.amount` against every cap.

    Returns the new tx id, or None when the key was already taken (then call `existing`).

    Raises:
        CapExceeded: a cap would be exceeded (the caller's transaction must roll back).

    """
    tx_id = f"wtx-{uuid.uuid4().hex[:16]}"
    if not await _claim(conn, hold, key, digest, tx_id):
        return None
    if not await _hold(conn, hold, caps):
        raise CapExceeded(await _which_cap(conn, hold, caps))
    over = await agent_caps.hold(conn, hold.agent_id, hold.asset, hold.amount, today())
    if over is not None:
        raise CapExceeded(over)
    return tx_id


async def _which_cap(conn: Conn, hold: Hold, caps: Caps) -> str:
    row = await (
        await conn.execute(
            "SELECT * FROM wallet_budgets WHERE campaign_id = %s AND asset = %s",
            (hold.campaign_id, hold.asset),
        )
    ).fetchone()
    assert row is not None
    spent_today = row["spent_today"] if row["spend_day"] == today() else Decimal(0)
    checks = [
        ("max_per_tx", hold.amount, row["max_per_tx"], caps.max_per_tx),
        ("max_daily", spent_today + hold.amount, row["max_daily"], caps.max_daily),
        (
            "max_campaign_total",
            row["spent_total"] + hold.amount,
            row["max_campaign_total"],
            caps.max_campaign_total,
        ),
    ]
    for name, value, stored, guard in checks:
        cap = min(stored, guard) if guard is not None else stored
        if value > cap:
            over = f"({fmt(value)} > {fmt(cap)})"
            return f"{name} budget exceeded for campaign {hold.campaign_id} {over}"
    return f"budget exceeded for campaign {hold.campaign_id}"


async def row(conn: Conn, tx_id: str) -> dict[str, Any]:
    """One transaction row (visible to the current tenant)."""
    found = await (
        await conn.execute("SELECT * FROM wallet_transactions WHERE tx_id = %s", (tx_id,))
    ).fetchone()
    assert found is not None, tx_id
    return dict(found)


async def mark_pending(conn: Conn, tx_id: str, nonce: int, tx_hash: str, raw: str) -> None:
    """Record the signed transaction BEFORE broadcasting it (crash recovery needs its hash)."""
    await conn.execute(
        "UPDATE wallet_transactions SET status = 'pending', nonce = %s, tx_hash = %s, raw_tx = %s"
        " WHERE tx_id = %s AND status = 'reserved'",
        (nonce, tx_hash, raw, tx_id),
    )


async def mark_submitting(conn: Conn, tx_id: str) -> None:
    """Record that a provider-signed transfer is about to be requested (hash not known yet)."""
    await conn.execute(
        "UPDATE wallet_transactions SET status = 'pending'"
        " WHERE tx_id = %s AND status = 'reserved'",
        (tx_id,),
    )


async def record_hash(conn: Conn, tx_id: str, tx_hash: str) -> None:
    """Attach the hash the provider answered to a pending transfer."""
    await conn.execute(
        "UPDATE wallet_transactions SET tx_hash = %s"
        " WHERE tx_id = %s AND status = 'pending' AND tx_hash IS NULL",
        (tx_hash, tx_id),
    )


async def settle(conn: Conn, tx_id: str) -> None:
    """The transfer is on chain: the hold becomes spend."""
    await conn.execute(
        "UPDATE wallet_transactions SET status = 'settled', settled_at = now()"
        " WHERE tx_id = %s AND status IN ('reserved', 'pending')",
        (tx_id,),
    )


async def release(conn: Conn, tx_id: str, reason: str) -> None:
    """The transfer did not happen: give the held amount back to every cap."""
    freed = await (
        await conn.execute(
            "UPDATE wallet_transactions SET status = 'released', reason = %s"
            " WHERE tx_id = %s AND status IN ('reserved', 'pending')"
            " RETURNING agent_id, campaign_id, asset, amount, spend_day",
            (reason[:500], tx_id),
        )
    ).fetchone()
    if freed is None:
        return
    await conn.execute(
        "UPDATE wallet_budgets SET spent_total = spent_total - %(amount)s,"
        " spent_today = CASE WHEN spend_day = %(day)s THEN spent_today - %(amount)s"
        " ELSE spent_today END, updated_at = now() WHERE campaign_id = %(campaign)s"
        " AND asset = %(asset)s",
        {
            "amount": freed["amount"],
            "day": freed["spend_day"],
            "campaign": freed["campaign_id"],
            "asset": freed["asset"],
        },
    )
    await agent_caps.release(
        conn, freed["agent_id"], freed["asset"], freed["amount"], freed["spend_day"]
    )


async def open_rows(conn: Conn, wallet_id: str) -> list[dict[str, Any]]:
    """Transactions of a wallet whose outcome is not final, oldest first."""
    rows = await (
        await conn.execute(
            "SELECT * FROM wallet_transactions WHERE wallet_id = %s"
            " AND status IN ('reserved', 'pending') ORDER BY created_at",
            (wallet_id,),
        )
    ).fetchall()
    return [dict(r) for r in rows]


async def budgets(conn: Conn, campaign_id: str) -> list[dict[str, Any]]:
    """Budget rows of a campaign (one per asset)."""
    rows = await (
        await conn.execute(
            "SELECT * FROM wallet_budgets WHERE campaign_id = %s ORDER BY asset", (campaign_id,)
        )
    ).fetchall()
    return [dict(r) for r in rows]


async def spend_by_status(conn: Conn, campaign_id: str) -> dict[tuple[str, str], Decimal]:
    """(asset, status) -> amount for a campaign's transactions."""
    rows = await (
        await conn.execute(
            "SELECT asset, status, sum(amount) AS total FROM wallet_transactions"
            " WHERE campaign_id = %s GROUP BY asset, status",
            (campaign_id,),
        )
    ).fetchall()
    return {(r["asset"], r["status"]): r["total"] for r in rows}
