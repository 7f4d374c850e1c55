"""The send phase with Coinbase CDP server wallets: same ledger, no local key, CDP idempotency.

`sender.py` claims the key and reserves against the caps exactly as for the devnet; under the
wallet's send lock it hands reserved and pending rows here. A reserved row is marked `pending`
(no hash yet) BEFORE CDP is asked, then CDP is asked to send with an idempotency key derived from
the ledger row's (tenant, key): a refusal releases the hold, a lost answer leaves the row pending,
and the next call for the key asks CDP again with the same key, which returns the first answer
instead of paying twice. Once the hash is known, the receipt settles or releases the row.
CDP forgets idempotency keys after about a day, so an older row whose hash was never learnt is
left pending (its hold kept) for an operator instead of being asked again (specs/technical.md
§11.9).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from chimera.platform.db import Conn
from servers.wallet import ledger
from servers.wallet.cdp_chain import CoinbaseChain
from servers.wallet.coinbase import cdp_key
from servers.wallet.deps import WalletDeps, scoped
from servers.wallet.funds import release_if_short
from servers.wallet.signing import BroadcastRejected, BroadcastUnknown
from state.money import to_units

log = logging.getLogger(__name__)

CDP_KEY_WINDOW = timedelta(hours=20)
"""How long a pending row without a hash may be re-asked (CDP keeps keys about 24 h)."""


def _chain(deps: WalletDeps) -> CoinbaseChain:
    assert deps.cdp is not None, "the coinbase provider is not configured"
    return CoinbaseChain(deps.cdp)


async def send_reserved(
    deps: WalletDeps, conn: Conn, tenant_id: str, row: dict[str, Any], address: str
) -> None:
    """Pay a reserved row through CDP (the caller holds the wallet's send lock)."""
    if await release_if_short(_chain(deps), conn, tenant_id, row, address):
        return
    async with scoped(conn, tenant_id):
        await ledger.mark_submitting(conn, row["tx_id"])
    await _ask(deps, conn, tenant_id, row, address)


async def reconcile_pending(
    deps: WalletDeps, conn: Conn, tenant_id: str, row: dict[str, Any], address: str
) -> None:
    """Finish a pending CDP transfer: learn its hash (same key) or read its receipt."""
    if row["tx_hash"] is not None:
        await _settle(deps, conn, tenant_id, row["tx_id"], address, row["tx_hash"], wait_s=0)
        return
    if datetime.now(UTC) - row["created_at"] > CDP_KEY_WINDOW:
        log.warning("transaction %s: outcome unknown past the CDP key window", row["tx_id"])
        return
    await _ask(deps, conn, tenant_id, row, address)


async def _ask(
    deps: WalletDeps, conn: Conn, tenant_id: str, row: dict[str, Any], address: str
) -> None:
    units = to_units(row["amount"], row["asset"])
    key = cdp_key(tenant_id, row["idempotency_key"])
    try:
        tx_hash = await _chain(deps).transfer(address, row["asset"], row["to_address"], units, key)
    except BroadcastRejected as exc:
        async with scoped(conn, tenant_id):
            await ledger.release(conn, row["tx_id"], f"CDP refused the transfer: {exc}")
        return
    except BroadcastUnknown as exc:
        log.warning("transaction %s: CDP outcome unknown (%s)", row["tx_id"], exc)
        return
    async with scoped(conn, tenant_id):
        await ledger.record_hash(conn, row["tx_id"], tx_hash)
    await _settle(deps, conn, tenant_id, row["tx_id"], address, tx_hash, wait_s=10)


async def _settle(
    deps: WalletDeps,
    conn: Conn,
    tenant_id: str,
    tx_id: str,
    address: str,
    tx_hash: str,
    *,
    wait_s: float,
) -> None:
    status = await _chain(deps).receipt_status(address, tx_hash, wait_s=wait_s)
    if status is None:
        return
    async with scoped(conn, tenant_id):
        if status == 1:
            await ledger.settle(conn, tx_id)
        else:
            await ledger.release(conn, tx_id, "the transfer reverted on chain")
