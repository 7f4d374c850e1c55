"""Production provider adapter: Base through Coinbase AgentKit / CDP (optional, not installed).

coinbase-agentkit 0.7.x conflicts with recent langgraph-api (cffi pins) and posts analytics with
no timeout, so it is NOT a dependency of the default install and this module imports it lazily.
Install it into a separate environment for the wallet server only (the server is its own
process), e.g. `uv pip install coinbase-agentkit` in a dedicated venv, and set the CDP keys there.

The adapter offers the same operations the server uses from `evm.EvmChain` (`balance`, a
transfer returning the hash, `receipt_status`) with `devnet = False` (the faucet is refused).
With CDP, keys live in Coinbase's server wallets, so the sign-locally-then-broadcast path of
`sender.py` becomes `transfer()` with the ledger row's idempotency key as the CDP idempotency
key; wiring that branch into `sender.py` is left for when the extra can be locked without
changing the default resolution (see the README).
"""

from __future__ import annotations

import asyncio
import importlib
from typing import Any, Protocol

USDC_BASE = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
"""Circle's USDC on Base mainnet."""


class ChainProvider(Protocol):
    """What the wallet server needs from a chain."""

    devnet: bool

    async def balance(self, address: str, asset: str) -> int:
        """Balance in base units."""
        ...

    async def receipt_status(self, tx_hash: str, *, wait_s: float = 0.0) -> int | None:
        """1 / 0 once mined, None when unknown."""
        ...


class CoinbaseUnavailable(RuntimeError):
    """coinbase-agentkit is not installed in this environment."""


def _agentkit() -> Any:
    try:
        module = importlib.import_module("coinbase_agentkit")
    except ImportError as exc:
        raise CoinbaseUnavailable(
            "coinbase-agentkit is not installed; it is an isolated optional provider (README)"
        ) from exc
    analytics = getattr(module, "analytics", None)
    if analytics is not None and hasattr(analytics, "send_analytics_event"):
        analytics.send_analytics_event = lambda *a, **k: None  # no phoning home, no hang
    return module


class CoinbaseProvider:
    """Base via an AgentKit CDP EVM wallet provider (blocking SDK calls run in threads)."""

    devnet = False

    def __init__(self, wallet_provider: Any) -> None:
        """Wrap a configured AgentKit wallet provider (e.g. `CdpEvmWalletProvider`)."""
        _agentkit()
        self._wallet = wallet_provider

    async def balance(self, address: str, asset: str) -> int:
        """Balance of the provider's wallet in base units (ETH only through AgentKit's API)."""
        if asset != "ETH":
            raise CoinbaseUnavailable("token balances need an ERC-20 read; not wired yet")
        return int(await asyncio.to_thread(self._wallet.get_balance))

    async def transfer_eth(self, to: str, wei: int) -> str:
        """Send native ETH; returns the transaction hash."""
        return str(await asyncio.to_thread(self._wallet.native_transfer, to, str(wei)))

    async def receipt_status(self, tx_hash: str, *, wait_s: float = 0.0) -> int | None:
        """Receipt status through the provider's RPC."""
        receipt = await asyncio.to_thread(self._wallet.wait_for_transaction_receipt, tx_hash)
        return None if receipt is None else int(receipt["status"])
