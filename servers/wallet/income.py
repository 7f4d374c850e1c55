"""Income: incoming USDC transfers to the tenant's agent wallets, found on chain, recorded once.

A scan reads the USDC `Transfer` logs to the tenant's addresses on a network, from the stored
cursor up to `head - confirmations` (a transfer is counted only once it is that deep), and
records each log once: `wallet_income` is unique by (tenant, network, tx hash, log index) and the
cursor row is locked for the recording transaction, so concurrent or repeated scans (after a
restart, or a re-scan from an earlier block) never count a transfer twice. Mints (from the zero
address: the devnet faucet) are not income.

Each transfer gets a purpose: `sponsorship` when it pays an open invoice of the wallet (same
amount, and the invoice's payer address if it names one; the invoice becomes paid and the income
is linked to its campaign), `refund` when it comes from an address the wallet had paid (settled)
by the time of the scan, else `tip`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from chimera.platform.db import Conn, tenant_tx
from servers.wallet.deps import WalletDeps
from state.money import fmt, from_units

ZERO = "0x" + "0" * 40


async def scan(
    deps: WalletDeps, tenant_id: str, network: str, confirmations: int, from_block: int | None
) -> dict[str, Any]:
    """Record the tenant's confirmed incoming USDC transfers since the cursor (or `from_block`)."""
    async with tenant_tx(deps.pool, tenant_id) as conn:
        wallets = await _wallets(conn, network)
        cursor = await _cursor(conn, network)
    chain = await deps.chain()
    start = from_block if from_block is not None else cursor
    end = await chain.head() - confirmations
    logs = await chain.usdc_transfers_to(list(wallets), start, end)
    recorded = []
    async with tenant_tx(deps.pool, tenant_id) as conn:
        await _lock_cursor(conn, network)
        for log in logs:
            if log["from"].lower() == ZERO:
                continue
            row = await _record(conn, tenant_id, network, wallets[log["to"].lower()], log)
            if row is not None:
                recorded.append(view(row))
        if end + 1 > cursor:
            await conn.execute(
                "UPDATE wallet_scan_cursors SET next_block = GREATEST(next_block, %s),"
                " updated_at = now() WHERE network = %s",
                (end + 1, network),
            )
    return {"network": network, "from_block": start, "to_block": end, "recorded": recorded}


async def _wallets(conn: Conn, network: str) -> dict[str, dict[str, Any]]:
    rows = await (
        await conn.execute(
            "SELECT wallet_id, agent_id, address FROM wallets WHERE network = %s", (network,)
        )
    ).fetchall()
    return {r["address"].lower(): dict(r) for r in rows}


async def _cursor(conn: Conn, network: str) -> int:
    found = await (
        await conn.execute(
            "SELECT next_block FROM wallet_scan_cursors WHERE network = %s", (network,)
        )
    ).fetchone()
    return 0 if found is None else int(found["next_block"])


async def _lock_cursor(conn: Conn, network: str) -> None:
    """Serialise recording per tenant and network (the duplicate check below relies on it)."""
    await conn.execute(
        "INSERT INTO wallet_scan_cursors (tenant_id, network, next_block)"
        " VALUES (current_setting('app.tenant_id'), %s, 0) ON CONFLICT DO NOTHING",
        (network,),
    )
    await conn.execute(
        "SELECT next_block FROM wallet_scan_cursors WHERE network = %s FOR UPDATE", (network,)
    )


async def _record(
    conn: Conn, tenant_id: str, network: str, wallet: dict[str, Any], log: dict[str, Any]
) -> dict[str, Any] | None:
    """Insert one transfer as income unless it is already recorded; returns the new row."""
    seen = await (
        await conn.execute(
            "SELECT 1 FROM wallet_income WHERE network = %s AND tx_hash = %s AND log_index = %s",
            (network, log["tx_hash"], log["log_index"]),
        )
    ).fetchone()
    if seen is not None:
        return None
    amount = from_units(log["units"], "USDC")
    purpose, invoice = await _purpose(conn, wallet["wallet_id"], log["from"], amount)
    row = await (
        await conn.execute(
            "INSERT INTO wallet_income (income_id, tenant_id, agent_id, wallet_id, network, asset,"
            " amount, counterparty, purpose, campaign_id, invoice_id, tx_hash, log_index,"
            " block_number) VALUES (%s, %s, %s, %s, %s, 'USDC', %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING RETURNING *",
            (
                f"inc-{uuid.uuid4().hex[:16]}",
                tenant_id,
                wallet["agent_id"],
                wallet["wallet_id"],
                network,
                amount,
                log["from"],
                purpose,
                None if invoice is None else invoice["campaign_id"],
                None if invoice is None else invoice["invoice_id"],
                log["tx_hash"],
                log["log_index"],
                log["block_number"],
            ),
        )
    ).fetchone()
    return None if row is None else dict(row)


async def _purpose(
    conn: Conn, wallet_id: str, sender: str, amount: Decimal
) -> tuple[str, dict[str, Any] | None]:
    invoice = await (
        await conn.execute(
            "UPDATE wallet_invoices SET status = 'paid', paid_by = %(sender)s, paid_at = now()"
            " WHERE invoice_id = (SELECT invoice_id FROM wallet_invoices WHERE status = 'open'"
            " AND wallet_id = %(wallet)s AND amount = %(amount)s AND (payer_address IS NULL"
            " OR lower(payer_address) = lower(%(sender)s)) ORDER BY created_at LIMIT 1)"
            " RETURNING invoice_id, campaign_id",
            {"sender": sender, "wallet": wallet_id, "amount": amount},
        )
    ).fetchone()
    if invoice is not None:
        return "sponsorship", dict(invoice)
    paid = await (
        await conn.execute(
            "SELECT 1 FROM wallet_transactions WHERE wallet_id = %s AND status = 'settled'"
            " AND lower(to_address) = lower(%s) LIMIT 1",
            (wallet_id, sender),
        )
    ).fetchone()
    return ("refund" if paid is not None else "tip"), None


async def create_invoice(
    conn: Conn, wallet: dict[str, Any], tenant_id: str, terms: dict[str, Any]
) -> dict[str, Any]:
    """Record an open invoice (sponsor, amount, campaign, optional payer address)."""
    row = await (
        await conn.execute(
            "INSERT INTO wallet_invoices (invoice_id, tenant_id, agent_id, wallet_id, campaign_id,"
            " sponsor, payer_address, asset, amount) VALUES (%s, %s, %s, %s, %s, %s, %s, 'USDC',"
            " %s) RETURNING *",
            (
                f"inv-{uuid.uuid4().hex[:16]}",
                tenant_id,
                wallet["agent_id"],
                wallet["wallet_id"],
                terms["campaign_id"],
                terms["sponsor"],
                terms["payer_address"],
                terms["amount"],
            ),
        )
    ).fetchone()
    assert row is not None
    return invoice_view(dict(row))


async def invoice(conn: Conn, invoice_id: str) -> dict[str, Any] | None:
    """One invoice of the tenant, if it exists."""
    row = await (
        await conn.execute("SELECT * FROM wallet_invoices WHERE invoice_id = %s", (invoice_id,))
    ).fetchone()
    return None if row is None else invoice_view(dict(row))


async def listed(conn: Conn, agent_id: str | None, limit: int) -> list[dict[str, Any]]:
    """The tenant's income, newest first (optionally one agent's)."""
    rows = await (
        await conn.execute(
            "SELECT * FROM wallet_income WHERE (%(agent)s::text IS NULL OR agent_id = %(agent)s)"
            " ORDER BY block_number DESC, log_index DESC LIMIT %(limit)s",
            {"agent": agent_id, "limit": limit},
        )
    ).fetchall()
    return [view(dict(r)) for r in rows]


def view(row: dict[str, Any]) -> dict[str, Any]:
    """An income row as JSON."""
    return {
        "income_id": row["income_id"],
        "agent_id": row["agent_id"],
        "wallet_id": row["wallet_id"],
        "network": row["network"],
        "asset": row["asset"],
        "amount": fmt(row["amount"]),
        "counterparty": row["counterparty"],
        "purpose": row["purpose"],
        "campaign_id": row["campaign_id"],
        "invoice_id": row["invoice_id"],
        "tx_hash": row["tx_hash"],
        "log_index": row["log_index"],
        "block_number": row["block_number"],
    }


def invoice_view(row: dict[str, Any]) -> dict[str, Any]:
    """An invoice row as JSON."""
    return {
        "invoice_id": row["invoice_id"],
        "agent_id": row["agent_id"],
        "wallet_id": row["wallet_id"],
        "campaign_id": row["campaign_id"],
        "sponsor": row["sponsor"],
        "payer_address": row["payer_address"],
        "asset": row["asset"],
        "amount": fmt(row["amount"]),
        "status": row["status"],
        "paid_by": row["paid_by"],
    }
