"""Base through CDP server wallets: balances, idempotent transfers, receipts; no faucet.

Calls only the public interface of AgentKit's `CdpEvmWalletProvider` (coinbase_agentkit 0.7.x,
`coinbase_agentkit/wallet_providers/cdp_evm_wallet_provider.py`): `get_balance()` (wei, as a
Decimal), `read_contract(...)` for the USDC balance, `wait_for_transaction_receipt(...)` and
`get_client()`, whose `evm.send_transaction(address=, transaction=, network=,
idempotency_key=)` sends with Coinbase managing nonce and gas. AgentKit's own `native_transfer`
takes no idempotency key, so transfers go through that client call instead: CDP answers a
repeated key with its first response, so a retry after a lost answer never pays twice.
The provider methods block (sync web3), so they run in threads.
"""

from __future__ import annotations

import asyncio
from typing import Any

from servers.runtime import InvalidArgument
from servers.wallet.coinbase import CdpWallets
from servers.wallet.signing import BroadcastRejected, BroadcastUnknown

USDC = {
    "base-mainnet": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
    "base-sepolia": "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
}
"""Circle's USDC on Base mainnet and Base Sepolia."""

BALANCE_OF_ABI = [
    {
        "name": "balanceOf",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "owner", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]
TRANSFER_SELECTOR = "a9059cbb"
"""keccak("transfer(address,uint256)")[:4]."""

UNKNOWN_HTTP = frozenset({0, 408, 409, 425, 429})
"""Codes that say nothing about whether CDP executed the request (0 = no response)."""


def erc20_transfer_data(to: str, units: int) -> str:
    """Calldata of `transfer(to, units)`."""
    return "0x" + TRANSFER_SELECTOR + to[2:].lower().rjust(64, "0") + f"{units:064x}"


def classify(exc: Exception) -> Exception:
    """A CDP error as a definite refusal (4xx) or an unknown outcome (anything else)."""
    code = getattr(exc, "http_code", None)
    text = str(exc)[:300]
    if isinstance(code, int) and 400 <= code < 500 and code not in UNKNOWN_HTTP:
        return BroadcastRejected(text)
    return BroadcastUnknown(text)


class CoinbaseChain:
    """The chain the wallet server sees when `CHIMERA_WALLET_PROVIDER=coinbase`."""

    devnet = False

    def __init__(self, wallets: CdpWallets) -> None:
        """Read and pay through `wallets` (one CDP server account per wallet)."""
        self.wallets = wallets
        self.usdc = USDC[wallets.settings.cdp_network]

    async def balance(self, address: str, asset: str) -> int:
        """Balance of a server wallet in base units (wei, or USDC's 6 decimals)."""
        provider = await self.wallets.provider(address)
        if asset == "ETH":
            return int(await asyncio.to_thread(provider.get_balance))
        from eth_utils.address import to_checksum_address

        units = await asyncio.to_thread(
            provider.read_contract,
            to_checksum_address(self.usdc),
            BALANCE_OF_ABI,
            "balanceOf",
            [to_checksum_address(address)],
        )
        return int(units)

    async def fund(self, address: str) -> dict[str, int]:
        """There is no faucet off the devnet.

        Raises:
            InvalidArgument: always.

        """
        raise InvalidArgument("fund_wallet is a devnet faucet; the coinbase provider has none")

    async def transfer(self, address: str, asset: str, to: str, units: int, key: str) -> str:
        """Send `units` of `asset` from a server wallet once per CDP idempotency `key`.

        Raises:
            BroadcastRejected: CDP refused the request (nothing was sent).
            BroadcastUnknown: no definite answer; retry with the same key.

        """
        if asset == "ETH":
            tx = self.wallets.api.tx_request(to=to, value=units, data="0x")
        else:
            data = erc20_transfer_data(to, units)
            tx = self.wallets.api.tx_request(to=self.usdc, value=0, data=data)
        provider = await self.wallets.provider(address)
        try:
            async with provider.get_client() as cdp:
                tx_hash = await cdp.evm.send_transaction(
                    address=address,
                    transaction=tx,
                    network=self.wallets.sdk_network,
                    idempotency_key=key,
                )
        except Exception as exc:
            raise classify(exc) from exc
        return str(tx_hash)

    async def receipt_status(self, address: str, tx_hash: str, *, wait_s: float) -> int | None:
        """1 / 0 once mined, None while the chain does not know the hash."""
        from web3.exceptions import TimeExhausted, TransactionNotFound

        provider = await self.wallets.provider(address)
        try:
            receipt: Any = await asyncio.to_thread(
                provider.wait_for_transaction_receipt,
                tx_hash,
                timeout=max(wait_s, 0.1),
                poll_latency=0.1,
            )
        except (TimeExhausted, TransactionNotFound, TimeoutError):
            return None
        return int(receipt["status"])
