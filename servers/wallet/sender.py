"""send_transaction end to end: claim the key, reserve, sign, record, broadcast, settle.

Phases: (1) one tenant transaction claims the idempotency key and reserves the amount against
every cap, or rolls back with the cap's name; (2) under the wallet address's lock, earlier
unfinished transfers of the wallet are reconciled against the chain, then this one is signed,
recorded as `pending` with its hash and raw bytes, broadcast, and settled on its receipt. A
refused broadcast or a reverted transfer releases the hold; no answer keeps it `pending`, and the
next call for the key (or for the wallet) reconciles it by hash, so a crash between broadcast and
settle never loses money nor sends twice. With the coinbase provider the send phase is
`cdp_sender.py` (CDP signs; its idempotency key replaces the recorded raw transaction).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from chimera.platform.db import Conn, tenant_tx
from servers.runtime import Conflict, Transient
from servers.wallet import agent_caps, cdp_sender, ledger
from servers.wallet.deps import WalletDeps, address_lock, scoped
from servers.wallet.funds import release_if_short
from servers.wallet.receipts import receipt
from servers.wallet.signing import BroadcastRejected, BroadcastUnknown
from state.money import to_units

log = logging.getLogger(__name__)


async def send(
    deps: WalletDeps, hold: ledger.Hold, caps: ledger.Caps, key: str, digest: str, address: str
) -> dict[str, Any]:
    """Execute one transfer at most once per `(tenant, key)`; returns the receipt dict."""
    if deps.cdp is not None:
        deps.cdp.check_network(hold.network)  # before anything is reserved
    async with tenant_tx(deps.pool, hold.tenant_id) as conn:
        configured = await ledger.ensure_budget(conn, hold, caps)
        defaults = (deps.settings.agent_max_daily_usdc, deps.settings.agent_max_monthly_usdc)
        await agent_caps.ensure(conn, hold.tenant_id, hold.agent_id, hold.asset, defaults)
    try:
        async with tenant_tx(deps.pool, hold.tenant_id) as conn:
            if not configured:
                return rejected(
                    hold,
                    f"no budget configured for campaign {hold.campaign_id}:"
                    " budget_guard must carry max_campaign_total",
                )
            tx_id = await ledger.reserve(conn, hold, caps, key, digest)
    except ledger.CapExceeded as exc:
        return rejected(hold, str(exc))
    if tx_id is None:
        async with tenant_tx(deps.pool, hold.tenant_id) as conn:
            first = await ledger.existing(conn, key)
        assert first is not None
        if first["payload_hash"] != digest:
            raise Conflict(f"idempotency key {key!r} was used with a different transaction")
        if first["status"] in ("settled", "released"):
            return {**await receipt(deps, first), "duplicate": True}
        tx_id = first["tx_id"]
    return await execute(deps, hold.tenant_id, tx_id, address)


def rejected(hold: ledger.Hold, reason: str) -> dict[str, Any]:
    """A refusal: nothing reserved, nothing sent."""
    return {
        "status": "rejected",
        "reason": reason,
        "wallet_id": hold.wallet_id,
        "campaign_id": hold.campaign_id,
        "duplicate": False,
    }


async def execute(deps: WalletDeps, tenant_id: str, tx_id: str, address: str) -> dict[str, Any]:
    """Run (or finish) a reserved transfer under the wallet's send lock."""
    async with address_lock(deps.send_pool, address) as conn:
        async with scoped(conn, tenant_id):
            row = await ledger.row(conn, tx_id)
            others = [
                r for r in await ledger.open_rows(conn, row["wallet_id"]) if r["tx_id"] != tx_id
            ]
        for other in others:
            await reconcile(deps, conn, tenant_id, other, address)
        async with scoped(conn, tenant_id):
            row = await ledger.row(conn, tx_id)
        if row["status"] == "reserved":
            await _sign_and_send(deps, conn, tenant_id, row, address)
        else:
            await reconcile(deps, conn, tenant_id, row, address)
        async with scoped(conn, tenant_id):
            row = await ledger.row(conn, tx_id)
    if row["status"] == "pending":
        raise Transient(f"transaction {tx_id} was broadcast but its outcome is unknown; retry")
    return {**await receipt(deps, row), "duplicate": False}


async def _sign_and_send(
    deps: WalletDeps, conn: Conn, tenant_id: str, row: dict[str, Any], address: str
) -> None:
    if deps.cdp is not None:
        await cdp_sender.send_reserved(deps, conn, tenant_id, row, address)
        return
    chain, asset = await deps.chain(), row["asset"]
    if await release_if_short(chain, conn, tenant_id, row, address):
        return
    account = await deps.keystore.account(tenant_id, row["wallet_id"])
    signed = await chain.sign_transfer(
        account,
        asset,
        row["to_address"],
        to_units(row["amount"], asset),
        await chain.next_nonce(address),
    )
    async with scoped(conn, tenant_id):
        await ledger.mark_pending(conn, row["tx_id"], signed.nonce, signed.tx_hash, signed.raw)
    if deps.settings.wallet_fault == "exit_before_broadcast":
        os._exit(137)  # test-only: die after recording, before the network saw it
    try:
        await chain.broadcast(signed.raw)
    except BroadcastRejected as exc:
        async with scoped(conn, tenant_id):
            await ledger.release(conn, row["tx_id"], f"the network refused the transfer: {exc}")
        return
    except BroadcastUnknown as exc:
        log.warning("transaction %s: broadcast outcome unknown (%s)", row["tx_id"], exc)
        return
    if deps.settings.wallet_fault == "exit_after_broadcast":
        os._exit(137)  # test-only: die between broadcast and settle
    await _settle_from_chain(deps, conn, tenant_id, row["tx_id"], signed.tx_hash, wait_s=10)


async def _settle_from_chain(
    deps: WalletDeps, conn: Conn, tenant_id: str, tx_id: str, tx_hash: str, *, wait_s: float
) -> bool:
    """Settle or release from the receipt; False when the chain does not know the hash."""
    status = await (await deps.chain()).receipt_status(tx_hash, wait_s=wait_s)
    if status is None:
        return False
    async with scoped(conn, tenant_id):
        if status == 1:
            await ledger.settle(conn, tx_id)
        else:
            await ledger.release(conn, tx_id, "the transfer reverted on chain")
    return True


async def reconcile(
    deps: WalletDeps, conn: Conn, tenant_id: str, row: dict[str, Any], address: str
) -> None:
    """Bring an unfinished transfer in line with the chain (caller holds the address lock)."""
    if row["status"] == "reserved":
        await _sign_and_send(deps, conn, tenant_id, row, address)
        return
    if row["status"] != "pending":
        return
    if deps.cdp is not None:
        await cdp_sender.reconcile_pending(deps, conn, tenant_id, row, address)
        return
    if await _settle_from_chain(deps, conn, tenant_id, row["tx_id"], row["tx_hash"], wait_s=0):
        return
    try:
        await (await deps.chain()).broadcast(row["raw_tx"])  # recorded but never reached the chain
    except BroadcastRejected as exc:
        if await _settle_from_chain(deps, conn, tenant_id, row["tx_id"], row["tx_hash"], wait_s=0):
            return
        if await (await deps.chain()).next_nonce(address) > row["nonce"]:
            async with scoped(conn, tenant_id):
                await ledger.release(conn, row["tx_id"], f"dropped by the network: {exc}")
        return
    except BroadcastUnknown:
        return
    await _settle_from_chain(deps, conn, tenant_id, row["tx_id"], row["tx_hash"], wait_s=10)
