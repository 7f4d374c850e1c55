"""Append-only records: the database itself refuses rewrites; refused payments are recorded.

Proves specs/governance.md §4.1, §4.2.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from chimera.control import payment_ledger
from chimera.control.repo import audit
from chimera.mcp.wallet import open_wallet_host
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from skills.autonomous_transaction import aexecute_transaction
from tests.conftest import ETHIOPIA
from tests.support.governance import events
from tests.support.mcp import WHO_XYZ, XYZ
from tests.support.wallet import Devnet, funded_wallet, recipient

RECORDS = ("audit_log", "payment_ledger", "wallet_ledger")


def payment(**over: Any) -> dict[str, Any]:
    """A §5.3 skill input with fresh ids."""
    body: dict[str, Any] = {
        "tenant_id": XYZ,
        "agent_id": ETHIOPIA,
        "wallet_id": f"wallet-of-nobody-{uuid.uuid4().hex[:6]}",
        "network": "base",
        "asset": "USDC",
        "amount": "25.00",
        "to_address": recipient(),
        "purpose": "pay_for_video_generation",
        "campaign_id": f"cmp-append-only-{uuid.uuid4().hex[:6]}",
        "budget_guard": {
            "max_per_tx": "50.00",
            "max_daily": "200.00",
            "max_campaign_total": "1000.00",
        },
        "metadata": {"task_id": f"task-{uuid.uuid4().hex[:6]}"},
    }
    return body | over


async def _as_runtime_role(svc: Services, statement: str) -> None:
    async with await psycopg.AsyncConnection.connect(svc.endpoints.pg_app) as conn:
        await conn.execute("SELECT set_config('app.tenant_id', %s, false)", (XYZ,))
        await conn.execute(statement)


@pytest.mark.parametrize("table", RECORDS)
async def test_the_runtime_role_cannot_update_or_delete_a_record(svc: Services, table: str) -> None:
    """specs/governance.md §4.1"""
    async with tenant_tx(svc.pool, XYZ) as conn:
        await audit(conn, XYZ, "append_only_probe")
    for statement in (f"UPDATE {table} SET tenant_id = tenant_id", f"DELETE FROM {table}"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await _as_runtime_role(svc, statement)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        await _as_runtime_role(svc, f"TRUNCATE {table}")


async def test_even_the_owner_cannot_rewrite_the_audit_log(svc: Services) -> None:
    """specs/governance.md §4.1: the trigger holds where grants do not apply"""
    async with tenant_tx(svc.pool, XYZ) as conn:
        await audit(conn, XYZ, "append_only_probe")
    async with await psycopg.AsyncConnection.connect(svc.endpoints.pg_admin) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            await conn.execute("UPDATE audit_log SET event = 'rewritten'")
        await conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            await conn.execute("DELETE FROM audit_log WHERE event = 'append_only_probe'")


async def test_a_payment_the_skill_refuses_leaves_a_ledger_row_and_an_audit_row(
    svc: Services,
) -> None:
    """specs/governance.md §4.2"""
    body = payment()
    receipt = await aexecute_transaction(svc.host, ledger=svc.pool, **body)
    assert receipt["status"] == "rejected" and "not found" in receipt["reason"]
    async with tenant_tx(svc.pool, XYZ) as conn:
        [row] = await payment_ledger.entries(conn, body["campaign_id"])
    assert row["status"] == "rejected" and row["source"] == "skill"
    assert row["reason"] == receipt["reason"] and row["amount"] == "25.00"
    assert row["task_id"] == body["metadata"]["task_id"]
    [refused] = await events(svc, body["campaign_id"], "payment_refused")
    assert refused["detail"]["reason"] == receipt["reason"]


async def test_every_state_a_sent_payment_reaches_is_in_the_wallet_ledger(
    svc: Services, devnet: Devnet
) -> None:
    """specs/governance.md §4.1"""
    host = await open_wallet_host(svc.settings, svc.endpoints)
    try:
        wallet = await funded_wallet(host, WHO_XYZ)
    finally:
        await host.aclose()
    body = payment(wallet_id=wallet["wallet_id"])
    receipt = await aexecute_transaction(svc.host, ledger=svc.pool, **body)
    assert receipt["status"] == "executed", receipt
    async with tenant_tx(svc.pool, XYZ) as conn:
        rows = await (
            await conn.execute(
                "SELECT status, tx_hash FROM wallet_ledger WHERE campaign_id = %s ORDER BY id",
                (body["campaign_id"],),
            )
        ).fetchall()
        [paid] = await payment_ledger.entries(conn, body["campaign_id"])
    statuses = [r["status"] for r in rows]
    assert statuses[0] == "reserved" and statuses[-1] == "settled"
    assert rows[-1]["tx_hash"] == receipt["tx_hash"] == paid["tx_hash"]
    assert paid["status"] == "executed"
