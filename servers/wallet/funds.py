"""The balance check before a payment (devnet and Coinbase send paths) and first funding.

A reserved row the wallet cannot cover is released with the shortfall as its reason, so the hold
does not count against the caps and nothing reaches the chain.
"""

from __future__ import annotations

from typing import Any

from chimera.platform.db import Conn, tenant_tx
from servers.wallet import ledger
from servers.wallet.deps import WalletDeps, scoped
from servers.wallet.signing import ChainReader
from state.money import from_units, to_units


async def release_if_short(
    chain: ChainReader, conn: Conn, tenant_id: str, row: dict[str, Any], address: str
) -> bool:
    """Release `row` when `address` holds less than its amount; True when it was released."""
    asset = row["asset"]
    have = await chain.balance(address, asset)
    if have >= to_units(row["amount"], asset):
        return False
    async with scoped(conn, tenant_id):
        await ledger.release(
            conn,
            row["tx_id"],
            f"insufficient {asset} balance: {from_units(have, asset)} < {row['amount']}",
        )
    return True


async def fund_once(deps: WalletDeps, tenant_id: str, wallet: dict[str, Any]) -> dict[str, int]:
    """Faucet-fund `wallet` unless it already holds ETH or USDC; concurrent callers wait.

    Creation and first funding must look atomic to concurrent first payments: a caller that
    finds the wallet created but not yet funded would fail with an insufficient balance. A
    transaction-scoped advisory lock on the wallet id serialises the check and the drip across
    processes, so exactly one caller funds and the others return after it, finding funds.
    """
    reader = await deps.reader()
    async with tenant_tx(deps.pool, tenant_id) as conn:
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 17))", (wallet["wallet_id"],)
        )
        for asset in ("USDC", "ETH"):
            if await reader.balance(wallet["address"], asset) > 0:
                return {}
        return await reader.fund(wallet["address"])
