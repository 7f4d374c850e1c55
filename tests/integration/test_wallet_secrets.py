"""No private key anywhere but the encrypted keystore: not in state, checkpoints, logs or results.

See specs/technical.md §11.8 (key custody) and specs/_meta.md §2.6. After a campaign that pays
through the graph and a direct skill call, the test decrypts the tenant's keystore files itself
and searches for every key (hex and raw bytes) in the checkpoint tables, every table of the
database, every tool result and run summary, the runtime's logs, and every file under
CHIMERA_HOME outside the keystore (Postgres data and WAL, Redis, anvil state and logs).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import psycopg
import pytest
from eth_account import Account

from chimera.mcp.wallet import open_wallet_host
from chimera.resources import Services
from chimera.runs.runner import run_campaign
from state.context import Context
from tests.conftest import ETHIOPIA
from tests.integration.test_cfo_graph import hero_goal
from tests.support.mcp import WHO_XYZ, XYZ
from tests.support.wallet import funded_wallet, recipient, send_args


def needles(svc: Services) -> list[bytes]:
    """Every private key of tenant-xyz's wallets, as hex text and as raw bytes."""
    password = svc.settings.wallet_keystore_password.get_secret_value()
    found: list[bytes] = []
    for keyfile in sorted((svc.settings.home.resolve() / "keystore" / XYZ).glob("*.json")):
        key = bytes(Account.decrypt(json.loads(keyfile.read_text()), password))
        found += [key.hex().encode(), key.hex().upper().encode(), key]
    assert found, "the scenario created no wallet"
    return found


def files_outside_keystore(home: Path) -> list[Path]:
    """Every regular file under home except the encrypted keystore."""
    keystore = home / "keystore"
    return [p for p in home.rglob("*") if p.is_file() and keystore not in p.parents]


async def test_no_private_key_in_state_checkpoints_logs_or_tool_results(
    svc: Services, caplog: pytest.LogCaptureFixture
) -> None:
    """specs/technical.md §11.8; specs/_meta.md §2.6"""
    caplog.set_level(logging.DEBUG)
    host = await open_wallet_host(svc.settings, svc.endpoints)
    try:
        wallet = await funded_wallet(host, WHO_XYZ)
        results = [
            wallet,
            await host.call_tool(
                "wallet", "get_balance", {"tenant_id": XYZ, "agent_id": ETHIOPIA}, who=WHO_XYZ
            ),
            await host.call_tool(
                "wallet",
                "send_transaction",
                send_args(WHO_XYZ, wallet["wallet_id"], "cmp-secrets"),
                who=WHO_XYZ,
            ),
            await host.call_tool("wallet", "list_transactions", {"tenant_id": XYZ}, who=WHO_XYZ),
        ]
    finally:
        await host.aclose()
    vendor = recipient()
    ctx = Context(hero_video_vendor=vendor, payment_allow_list=(vendor,), tx_review_threshold="30")
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=hero_goal(), context=ctx)
    assert any(
        t["task_type"] == "execute_transaction" and t["status"] == "done" for t in summary.tasks
    )
    secrets = needles(svc)

    visible = json.dumps([results, summary.as_dict()], default=str).encode() + caplog.text.encode()
    assert not [s for s in secrets if s in visible]

    with psycopg.connect(svc.endpoints.pg_admin) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        assert {"checkpoints", "checkpoint_blobs", "checkpoint_writes"} <= set(tables)
        for table in tables:
            for (row,) in conn.execute(f'SELECT t::text FROM "{table}" AS t').fetchall():
                text = row.encode()
                assert not [s for s in secrets if s in text], f"key material in table {table}"
        for table, column in (("checkpoint_blobs", "blob"), ("checkpoint_writes", "blob")):
            for (blob,) in conn.execute(f'SELECT "{column}" FROM "{table}"').fetchall():
                if blob is not None:
                    assert not [s for s in secrets if s in bytes(blob)], f"key in {table}"
        conn.execute("CHECKPOINT")  # flush to the data files scanned below

    for path in files_outside_keystore(svc.settings.home.resolve()):
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # Postgres removed a transient file (pg_internal.init) meanwhile
            continue
        assert not [s for s in secrets if s in data], f"key material in {path}"
    for keyfile in (svc.settings.home.resolve() / "keystore" / XYZ).glob("*.json"):
        assert not [s for s in secrets[:2] if s in keyfile.read_bytes()], "keystore not encrypted"
