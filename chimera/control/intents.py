"""The side-effect ledger: record intent before a side effect, reuse the result after.

`commit` claims an intent row keyed by an idempotency key derived from stable ids, calls the
tool (whose server keeps its own key table), then marks the row done with the result. A commit
re-executed after a crash finds the row: done -> the recorded result is reused, nothing is sent;
pending -> the call is repeated with the same key, which the server answers idempotently.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from chimera.platform.db import Conn
from state.records import RunRef


def idempotency_key(tenant_id: str, campaign_id: str, task_id: str, kind: str) -> str:
    """The key of one side effect: stable across retries, crashes and resumes."""
    digest = hashlib.sha256(f"{tenant_id}|{campaign_id}|{task_id}|{kind}".encode()).hexdigest()
    return f"{kind}:{digest[:32]}"


def payload_digest(payload: Any) -> str:
    """Hash of a side effect's payload."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Intent:
    """A ledger row as commit sees it."""

    key: str
    status: str
    payload_hash: str
    result: dict[str, Any] | None


async def claim(
    conn: Conn,
    *,
    key: str,
    tenant_id: str,
    campaign_id: str,
    task_id: str,
    thread_id: str,
    kind: str,
    payload_hash: str,
) -> Intent:
    """Insert the intent as pending unless it exists; return the row either way (locked)."""
    await conn.execute(
        "INSERT INTO intents (idempotency_key, tenant_id, campaign_id, task_id, thread_id, kind,"
        " payload_hash) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
        (key, tenant_id, campaign_id, task_id, thread_id, kind, payload_hash),
    )
    row = await (
        await conn.execute(
            "SELECT status, payload_hash, result FROM intents"
            " WHERE idempotency_key = %s FOR UPDATE",
            (key,),
        )
    ).fetchone()
    assert row is not None
    return Intent(key, row["status"], row["payload_hash"], row["result"])


async def claim_for_task(
    conn: Conn, run: RunRef, task_id: str, kind: str, key: str, args: dict[str, Any]
) -> Intent:
    """`claim` for one task's side effect of `kind` with tool arguments `args`."""
    return await claim(
        conn,
        key=key,
        tenant_id=run.tenant_id,
        campaign_id=run.campaign_id,
        task_id=task_id,
        thread_id=run.thread_id,
        kind=kind,
        payload_hash=payload_digest(args),
    )


async def complete(conn: Conn, key: str, result: dict[str, Any]) -> None:
    """Mark an intent done with the tool's result."""
    await conn.execute(
        "UPDATE intents SET status = 'done', result = %s, updated_at = now()"
        " WHERE idempotency_key = %s",
        (Jsonb(result), key),
    )


async def is_claimed(conn: Conn, key: str) -> bool:
    """Whether a side effect was already claimed (it passed its checks and may be out)."""
    row = await (
        await conn.execute("SELECT 1 FROM intents WHERE idempotency_key = %s", (key,))
    ).fetchone()
    return row is not None
