"""Light types shared by the sender and the chain adapter (no web3 import: servers start fast)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class BroadcastRejected(RuntimeError):
    """The node refused the transaction: it was not sent."""


class BroadcastUnknown(RuntimeError):
    """No answer from the node: the transaction may or may not be on chain."""


@dataclass(frozen=True)
class Signed:
    """A locally signed transfer, ready to broadcast (holds no key)."""

    raw: str
    tx_hash: str
    nonce: int


class ChainReader(Protocol):
    """What tools read from either provider (devnet chain or Coinbase CDP)."""

    devnet: bool

    async def balance(self, address: str, asset: str) -> int:
        """Balance in base units."""
        ...

    async def fund(self, address: str) -> dict[str, int]:
        """Faucet drip (devnet only)."""
        ...
