"""Media assets: files under `<CHIMERA_HOME>/media/<tenant>/` and rows in `media_assets`.

A generation claims its idempotency key first; a repeated key returns the stored asset (the same
key with different arguments is a conflict), so a retried call never renders or bills twice.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from chimera.platform.db import Pool, tenant_tx
from servers.runtime import Conflict, NotFound, payload_hash

COLUMNS = (
    "asset_id, agent_id, kind, tool, tier, model, character_reference_id, source_asset_id,"
    " path, mime_type, bytes, width, height, frames, estimated_cost_usd, created_at"
)


@dataclass(frozen=True)
class Rendered:
    """A generated file before it is stored."""

    data: bytes
    mime_type: str
    width: int
    height: int
    frames: int = 1


def asset_id(tenant_id: str, key: str, kind: str) -> str:
    """Stable id of the asset a key produces."""
    prefix = "img" if kind == "image" else "vid"
    return f"{prefix}-" + hashlib.sha256(f"{tenant_id}:{key}".encode()).hexdigest()[:16]


def public(row: dict[str, Any]) -> dict[str, Any]:
    """An asset row as tools and resources return it."""
    out = {k: v for k, v in row.items() if k != "created_at"}
    out["estimated_cost_usd"] = float(row["estimated_cost_usd"])
    out["url"] = f"media://{row['asset_id']}"
    out["created_at"] = row["created_at"].isoformat().replace("+00:00", "Z")
    return out


async def _existing(conn: Any, tenant_id: str, key: str) -> dict[str, Any] | None:
    cur = await conn.execute(
        f"SELECT {COLUMNS}, payload_hash FROM media_assets"
        " WHERE tenant_id = %s AND idempotency_key = %s",
        (tenant_id, key),
    )
    row: dict[str, Any] | None = await cur.fetchone()
    return row


async def create(
    pool: Pool,
    home: Path,
    meta: dict[str, Any],
    args: dict[str, Any],
    render: Callable[[], Awaitable[Rendered]],
) -> dict[str, Any]:
    """Render and store an asset once per `(tenant, idempotency_key)`; repeats return it."""
    tenant_id, key = meta["tenant_id"], meta["idempotency_key"]
    digest = payload_hash(args)
    async with tenant_tx(pool, tenant_id) as conn:
        # Serialise concurrent calls with one key on a transaction-scoped advisory lock.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{tenant_id}:{key}",))
        found = await _existing(conn, tenant_id, key)
        if found is not None:
            if found.pop("payload_hash") != digest:
                raise Conflict(f"idempotency key {key!r} was used with different arguments")
            return {**public(found), "duplicate": True}
        rendered = await render()
        aid = asset_id(tenant_id, key, meta["kind"])
        suffix = ".png" if rendered.mime_type == "image/png" else ".gif"
        path = home / "media" / tenant_id / f"{aid}{suffix}"
        await asyncio.to_thread(_write, path, rendered.data)
        row = await _insert(conn, aid, meta, rendered, str(path), digest)
    return {**public(row), "duplicate": False}


async def _insert(
    conn: Any, aid: str, meta: dict[str, Any], rendered: Rendered, path: str, digest: str
) -> dict[str, Any]:
    cur = await conn.execute(
        "INSERT INTO media_assets (asset_id, tenant_id, agent_id, kind, tool, tier, model,"
        " character_reference_id, source_asset_id, path, mime_type, bytes, width, height,"
        " frames, estimated_cost_usd, idempotency_key, payload_hash) VALUES (%s, %s, %s, %s,"
        f" %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING {COLUMNS}",
        (
            aid,
            meta["tenant_id"],
            meta["agent_id"],
            meta["kind"],
            meta["tool"],
            meta.get("tier"),
            meta["model"],
            meta.get("character_reference_id"),
            meta.get("source_asset_id"),
            path,
            rendered.mime_type,
            len(rendered.data),
            rendered.width,
            rendered.height,
            rendered.frames,
            Decimal(str(meta["estimated_cost_usd"])),
            meta["idempotency_key"],
            digest,
        ),
    )
    row: dict[str, Any] | None = await cur.fetchone()
    assert row is not None
    return row


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


async def get(pool: Pool, tenant_id: str, aid: str) -> dict[str, Any]:
    """An asset of the tenant; another tenant's asset is not found."""
    async with tenant_tx(pool, tenant_id) as conn:
        cur = await conn.execute(f"SELECT {COLUMNS} FROM media_assets WHERE asset_id = %s", (aid,))
        row = await cur.fetchone()
    if row is None:
        raise NotFound(f"media asset {aid!r} not found")
    return public(row)
