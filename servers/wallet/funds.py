"""The balance check before a payment, shared by the devnet and Coinbase send paths.

A reserved row the wallet cannot cover is released with the shortfall as its reason, so the hold
does not count against the caps and nothing reaches the chain.
"""

from __future__ import annotations

from typing import Any

from chimera.platform.db import Conn
from servers.wallet import ledger
from servers.wallet.deps import scoped
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
