"""Wallet records: create (key in the keystore, address in Postgres), resolve, recipients, history.

The `wallets` table holds addresses only. A wallet is found under the caller's tenant (RLS) and
must belong to the calling agent; anything else is a not-found, never another tenant's data.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from chimera.platform.db import Conn, tenant_tx
from chimera.platform.ids import stable_id
from servers.runtime import Conflict, InvalidArgument, NotFound
from servers.wallet.deps import WalletDeps
from servers.wallet.keystore import KeystoreError
from servers.wallet.receipts import utc_z
from state.money import fmt

NETWORKS = ("base", "base-sepolia", "devnet")
"""Networks the devnet serves (Base is simulated locally with chain id 84532)."""

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,127}$")


def check_recipient(to_address: str, own: str) -> None:
    """A well-formed, checksum-valid, non-zero recipient that is not the wallet itself.

    Raises:
        InvalidArgument: with the reason.

    """
    if not _ADDRESS.match(to_address):
        raise InvalidArgument(
            f"to_address {to_address[:60]!r} is not a 0x-prefixed 20-byte address"
        )
    from eth_utils.address import is_checksum_address

    body = to_address[2:]
    mixed = body != body.lower() and body != body.upper()
    if mixed and not is_checksum_address(to_address):
        raise InvalidArgument(f"to_address {to_address!r} fails its EIP-55 checksum")
    if int(body, 16) == 0:
        raise InvalidArgument("to_address is the zero address")
    if to_address.lower() == own.lower():
        raise InvalidArgument("to_address is the sending wallet itself")


async def resolve_wallet(
    conn: Conn, agent_id: str, wallet_id: str | None, network: str
) -> dict[str, Any]:
    """The calling agent's wallet (by id, or its wallet on `network`).

    Raises:
        NotFound: no such wallet for this tenant and agent.

    """
    if wallet_id is not None:
        found = await (
            await conn.execute(
                "SELECT wallet_id, agent_id, network, address FROM wallets WHERE wallet_id = %s",
                (wallet_id,),
            )
        ).fetchone()
    else:
        found = await (
            await conn.execute(
                "SELECT wallet_id, agent_id, network, address FROM wallets"
                " WHERE agent_id = %s AND network = %s ORDER BY created_at LIMIT 1",
                (agent_id, network),
            )
        ).fetchone()
    if found is None or found["agent_id"] != agent_id:
        label = wallet_id or f"of agent {agent_id} on {network}"
        raise NotFound(f"wallet {label} not found for this tenant and agent")
    return dict(found)


def _check_new(network: str, wallet_id: str | None) -> None:
    """Validate the arguments of `new_wallet`.

    Raises:
        InvalidArgument: an unsupported network or a malformed wallet id.

    """
    if network not in NETWORKS:
        raise InvalidArgument(f"unsupported network {network!r}; use one of {NETWORKS}")
    if wallet_id is not None and not _ID.match(wallet_id):
        raise InvalidArgument("wallet_id must be a plain identifier")


async def _agent_wallet(
    deps: WalletDeps, tenant_id: str, agent_id: str, network: str, wallet_id: str | None
) -> dict[str, Any] | None:
    """The agent's existing wallet (by id, or its default on `network`), if any.

    Raises:
        NotFound: the agent does not exist for this tenant.
        Conflict: `wallet_id` belongs to another agent or tenant.

    """
    async with tenant_tx(deps.pool, tenant_id) as conn:
        agent = await (
            await conn.execute("SELECT 1 FROM agents WHERE id = %s", (agent_id,))
        ).fetchone()
        if agent is None:
            raise NotFound(f"agent {agent_id!r} not found")
        return await _existing(conn, agent_id, wallet_id, network)


async def _create(
    deps: WalletDeps, tenant_id: str, agent_id: str, network: str, wallet_id: str
) -> str:
    """Create the key in the keystore, then the wallet row; return the wallet's address.

    Raises:
        Conflict: the keystore or the `wallets` table already holds `wallet_id`.

    """
    async with tenant_tx(deps.pool, tenant_id) as conn:
        free = await conn.execute("SELECT chimera_wallet_id_free(%s) AS free", (wallet_id,))
        row = await free.fetchone()
    if row is None or not row["free"]:
        raise _unavailable(wallet_id)  # checked before any key exists: no orphan key file
    try:
        address = await deps.new_address(tenant_id, wallet_id, network)
    except KeystoreError:
        raise _unavailable(wallet_id) from None
    try:
        async with tenant_tx(deps.pool, tenant_id) as conn:
            await conn.execute(
                "INSERT INTO wallets (wallet_id, tenant_id, agent_id, network, address)"
                " VALUES (%s, %s, %s, %s, %s)",
                (wallet_id, tenant_id, agent_id, network, address),
            )
    except psycopg.errors.UniqueViolation:
        await deps.discard(tenant_id, wallet_id)  # the row lost a race: its key must go too
        raise _unavailable(wallet_id) from None
    return address


async def new_wallet(
    deps: WalletDeps, tenant_id: str, agent_id: str, network: str, wallet_id: str | None
) -> dict[str, Any]:
    """Create a wallet for the agent, or return it when it exists.

    Without `wallet_id` this is the agent's default wallet on `network` (its first one).

    Raises:
        NotFound: the agent does not exist for this tenant.
        Conflict: `wallet_id` is taken by another agent or tenant.

    """
    _check_new(network, wallet_id)
    found = await _agent_wallet(deps, tenant_id, agent_id, network, wallet_id)
    if found is not None:
        return found | {"created": False}
    wallet_id = wallet_id or stable_id("wallet", tenant_id, agent_id, network)
    address = await _create(deps, tenant_id, agent_id, network, wallet_id)
    return {
        "wallet_id": wallet_id,
        "agent_id": agent_id,
        "network": network,
        "address": address,
        "created": True,
    }


async def _existing(
    conn: Conn, agent_id: str, wallet_id: str | None, network: str
) -> dict[str, Any] | None:
    try:
        return await resolve_wallet(conn, agent_id, wallet_id, network)
    except NotFound:
        if wallet_id is None:
            return None
    taken = await (
        await conn.execute("SELECT 1 FROM wallets WHERE wallet_id = %s", (wallet_id,))
    ).fetchone()
    if taken is not None:
        raise _unavailable(wallet_id)
    return None


def _unavailable(wallet_id: str) -> Conflict:
    # One answer for "another agent's", "another tenant's" and "lost a race": never say which.
    return Conflict(f"wallet id {wallet_id!r} is not available")


async def history(
    conn: Conn, wallet_id: str | None, campaign_id: str | None, limit: int
) -> list[dict[str, Any]]:
    """Ledger rows, newest first, without raw transactions."""
    rows = await (
        await conn.execute(
            "SELECT tx_id, wallet_id, campaign_id, network, asset, amount, to_address, purpose,"
            " direction, status, tx_hash, reason, created_at, settled_at FROM wallet_transactions"
            " WHERE (%(w)s::text IS NULL OR wallet_id = %(w)s)"
            " AND (%(c)s::text IS NULL OR campaign_id = %(c)s)"
            " ORDER BY created_at DESC LIMIT %(n)s",
            {"w": wallet_id, "c": campaign_id, "n": limit},
        )
    ).fetchall()
    return [
        {
            **r,
            "amount": fmt(r["amount"]),
            "created_at": utc_z(r["created_at"]),
            "settled_at": utc_z(r["settled_at"]),
        }
        for r in rows
    ]
