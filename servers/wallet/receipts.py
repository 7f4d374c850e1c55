"""Receipts and read views of the wallet server: transaction receipts, budget and spend.

The shapes here are what tools and resources return (CONTRACTS §5.3 `post_balances`), built from
the ledger rows and the chain; none of them holds key material.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chimera.platform.db import Conn, tenant_tx
from servers.wallet import ledger
from servers.wallet.deps import WalletDeps
from state.money import fmt, from_units

_STATUS = {"settled": "executed", "released": "failed", "reserved": "pending", "pending": "pending"}


def utc_z(value: Any) -> str | None:
    """A timestamp as ISO-8601 UTC ending in Z."""
    if value is None:
        return None
    return str(value.replace(microsecond=0).isoformat()).replace("+00:00", "Z")


async def receipt(deps: WalletDeps, row: dict[str, Any]) -> dict[str, Any]:
    """The receipt of a transaction row, with post balances when it executed."""
    out: dict[str, Any] = {
        "tx_id": row["tx_id"],
        "status": _STATUS[row["status"]],
        "wallet_id": row["wallet_id"],
        "network": row["network"],
        "asset": row["asset"],
        "amount": fmt(row["amount"]),
        "to_address": row["to_address"],
        "purpose": row["purpose"],
        "campaign_id": row["campaign_id"],
        "tx_hash": row["tx_hash"],
        "nonce": row["nonce"],
        "executed_at": utc_z(row["settled_at"]),
        "reason": row["reason"],
        "metadata": row["metadata"],
    }
    if row["status"] == "settled":
        out["post_balances"] = await post_balances(deps, row)
    return out


async def post_balances(deps: WalletDeps, row: dict[str, Any]) -> dict[str, str]:
    """Wallet balance (on chain) and campaign spend (ledger) after a transfer."""
    async with tenant_tx(deps.pool, row["tenant_id"]) as conn:
        address = await wallet_address(conn, row["wallet_id"])
        spend = await campaign_spend(conn, row["campaign_id"])
    units = await (await deps.reader()).balance(address, row["asset"])
    mine = spend["assets"].get(row["asset"], {})
    return {
        "wallet_balance": fmt(from_units(units, row["asset"])),
        "campaign_spend_today": mine.get("spend_today", "0.00"),
        "campaign_spend_total": mine.get("spend_total", "0.00"),
    }


async def wallet_address(conn: Conn, wallet_id: str) -> str:
    """The address of a wallet visible to this tenant."""
    found = await (
        await conn.execute("SELECT address FROM wallets WHERE wallet_id = %s", (wallet_id,))
    ).fetchone()
    assert found is not None
    return str(found["address"])


async def campaign_budget(conn: Conn, campaign_id: str) -> dict[str, Any]:
    """`campaign://{id}/budget`: the stored caps per asset."""
    rows = await ledger.budgets(conn, campaign_id)
    return {
        "campaign_id": campaign_id,
        "configured": bool(rows),
        "assets": {
            r["asset"]: {
                "max_per_tx": fmt(r["max_per_tx"]),
                "max_daily": fmt(r["max_daily"]),
                "max_campaign_total": fmt(r["max_campaign_total"]),
            }
            for r in rows
        },
    }


async def campaign_spend(conn: Conn, campaign_id: str) -> dict[str, Any]:
    """`campaign://{id}/spend`: today's and total spend per asset, holds included."""
    day = ledger.today()
    by_status = await ledger.spend_by_status(conn, campaign_id)
    assets: dict[str, Any] = {}
    for r in await ledger.budgets(conn, campaign_id):
        asset = r["asset"]
        held = by_status.get((asset, "reserved"), Decimal(0)) + by_status.get(
            (asset, "pending"), Decimal(0)
        )
        assets[asset] = {
            "spend_today": fmt(r["spent_today"] if r["spend_day"] == day else Decimal(0)),
            "spend_total": fmt(r["spent_total"]),
            "settled_total": fmt(by_status.get((asset, "settled"), Decimal(0))),
            "held": fmt(held),
        }
    return {"campaign_id": campaign_id, "day": day.isoformat(), "assets": assets}
