"""The payment ledger: one append-only row per payment outcome, refusals included.

The wallet server records what reached it; a payment refused before (the CFO's caps, the
skill's checks, malformed input) never does. This ledger records every outcome the runtime saw,
with its reason, and audits refusals and failures, so "why was nothing paid?" has an answer.
The database refuses updates and deletes on it (migration 0006).
"""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from chimera.platform.db import Conn

EVENTS = {"rejected": "payment_refused", "failed": "payment_failed"}
"""Audit event of each non-executed outcome."""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:500]


async def record(conn: Conn, receipt: dict[str, Any], *, source: str, **ids: str | None) -> None:
    """Append one outcome (and audit it unless executed).

    Args:
        conn: A tenant transaction of the receipt's tenant.
        receipt: The §5.3 receipt (`status`, `reason`, echoed payment fields).
        source: Who decided (`skill`, `cfo`).
        **ids: tenant_id, agent_id, campaign_id, task_id, thread_id (missing ones are null).

    """
    row = {k: ids.get(k) or _text(receipt.get(k)) for k in ("tenant_id", "agent_id", "campaign_id")}
    row |= {"task_id": ids.get("task_id"), "thread_id": ids.get("thread_id")}
    status, reason = str(receipt.get("status")), _text(receipt.get("reason"))
    fields = [_text(receipt.get(k)) for k in ("wallet_id", "asset", "amount", "to_address")]
    await conn.execute(
        "INSERT INTO payment_ledger (tenant_id, agent_id, campaign_id, task_id, thread_id, source,"
        " status, wallet_id, asset, amount, to_address, tx_hash, reason)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (*row.values(), source, status, *fields, _text(receipt.get("tx_hash")), reason),
    )
    if status in EVENTS:
        detail = {
            "source": source,
            "status": status,
            "reason": reason,
            "amount": fields[2],
            "asset": fields[1],
            "to_address": fields[3],
            "wallet_id": fields[0],
        }
        await conn.execute(
            "INSERT INTO audit_log (tenant_id, agent_id, campaign_id, task_id, thread_id, event,"
            " detail) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (*row.values(), EVENTS[status], Jsonb(detail)),
        )


async def entries(conn: Conn, campaign_id: str) -> list[dict[str, Any]]:
    """The campaign's ledger rows, oldest first."""
    rows = await (
        await conn.execute(
            "SELECT * FROM payment_ledger WHERE campaign_id = %s ORDER BY id", (campaign_id,)
        )
    ).fetchall()
    return [{**dict(r), "recorded_at": str(r["recorded_at"])} for r in rows]
