"""The chain as the wallet server sees it: balances, signing, broadcast, receipts, the faucet.

One `EvmChain` wraps an `AsyncWeb3` on either the anvil devnet (JSON-RPC over HTTP) or, where
Node is absent, an in-process eth-tester chain (py-evm) that lives as long as this process: its
wallets' balances vanish when the server stops, and no other process can see it. Transactions
are signed locally with the wallet's key and broadcast raw, so the hash and nonce are known (and
recorded) before the network ever sees them. Broadcast failures are classified: the node said no
(definite, the hold is released) or no answer (unknown, the hold stays until reconciled).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlparse

from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from web3 import AsyncWeb3
from web3.exceptions import TimeExhausted, TransactionNotFound, Web3RPCError
from web3.types import Wei

from chimera.platform.devnet import CONTRACT
from chimera.platform.settings import Settings
from servers.wallet.signing import BroadcastRejected, BroadcastUnknown, Signed

GAS = {"ETH": 21_000, "USDC": 100_000}
FAUCET = {"ETH": 10**18, "USDC": 1_000 * 10**6}
"""What one faucet drip gives: 1 ETH (for gas) and 1000 USDC."""
LOG_WINDOW = 5_000
"""Blocks per `eth_getLogs` query (public RPCs refuse wide ranges)."""


class EvmChain:
    """An EVM chain with the devnet USDC."""

    def __init__(self, w3: AsyncWeb3, chain_id: int, usdc: str, *, devnet: bool) -> None:
        """Wrap a connected `w3` whose USDC lives at `usdc`."""
        spec = json.loads(CONTRACT.read_text())
        self.w3 = w3
        self.chain_id = chain_id
        self.devnet = devnet
        self.usdc = w3.eth.contract(address=w3.to_checksum_address(usdc), abi=spec["abi"])

    async def balance(self, address: str, asset: str) -> int:
        """Balance of `address` in base units."""
        owner = self.w3.to_checksum_address(address)
        if asset == "ETH":
            return int(await self.w3.eth.get_balance(owner))
        return int(await self.usdc.functions.balanceOf(owner).call())

    async def next_nonce(self, address: str) -> int:
        """The next nonce of `address`, counting transactions still in the pool."""
        return int(
            await self.w3.eth.get_transaction_count(self.w3.to_checksum_address(address), "pending")
        )

    async def sign_transfer(
        self, account: LocalAccount, asset: str, to: str, units: int, nonce: int
    ) -> Signed:
        """Sign a transfer of `units` of `asset` to `to` with `nonce`."""
        recipient = self.w3.to_checksum_address(to)
        tx: dict[str, Any] = {
            "chainId": self.chain_id,
            "nonce": nonce,
            "gas": GAS[asset],
            "gasPrice": int(await self.w3.eth.gas_price),
        }
        if asset == "ETH":
            tx |= {"to": recipient, "value": units, "data": b""}
        else:
            data = self.usdc.encode_abi("transfer", args=[recipient, units])
            tx |= {"to": self.usdc.address, "value": 0, "data": data}
        signed = account.sign_transaction(tx)
        return Signed("0x" + signed.raw_transaction.hex(), "0x" + signed.hash.hex(), nonce)

    async def broadcast(self, raw: str) -> None:
        """Send a signed transaction.

        Raises:
            BroadcastRejected: the node refused it.
            BroadcastUnknown: no answer; it may have been accepted.

        """
        try:
            await self.w3.eth.send_raw_transaction(HexStr(raw))
        except Web3RPCError as exc:
            raise BroadcastRejected(str(exc)[:300]) from exc
        except (OSError, TimeoutError) as exc:
            raise BroadcastUnknown(repr(exc)[:300]) from exc
        except Exception as exc:  # eth-tester raises its own validation errors
            if type(exc).__module__.startswith(("eth_tester", "eth.", "eth_utils")):
                raise BroadcastRejected(str(exc)[:300]) from exc
            raise BroadcastUnknown(repr(exc)[:300]) from exc

    async def receipt_status(self, tx_hash: str, *, wait_s: float = 0.0) -> int | None:
        """1 (success) / 0 (reverted) once mined, None if the chain does not know it (yet)."""
        try:
            if wait_s:
                receipt = await self.w3.eth.wait_for_transaction_receipt(
                    tx_hash,  # type: ignore[arg-type]
                    timeout=wait_s,
                    poll_latency=0.02,
                )
            else:
                receipt = await self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except (TransactionNotFound, TimeExhausted):
            return None
        return int(receipt["status"])

    async def fund(self, address: str) -> dict[str, int]:
        """Devnet faucet: send ETH for gas and mint USDC to `address`."""
        faucet = (await self.w3.eth.accounts)[0]
        owner = self.w3.to_checksum_address(address)
        eth_tx = await self.w3.eth.send_transaction(
            {"from": faucet, "to": owner, "value": Wei(FAUCET["ETH"])}
        )
        await self.w3.eth.wait_for_transaction_receipt(eth_tx, timeout=20, poll_latency=0.02)
        mint = await self.usdc.functions.mint(owner, FAUCET["USDC"]).transact({"from": faucet})
        await self.w3.eth.wait_for_transaction_receipt(mint, timeout=20, poll_latency=0.02)
        return dict(FAUCET)

    async def head(self) -> int:
        """The newest block number."""
        return int(await self.w3.eth.block_number)

    async def usdc_transfers_to(
        self, addresses: list[str], from_block: int, to_block: int
    ) -> list[dict[str, Any]]:
        """USDC `Transfer` logs to any of `addresses` in the block range (inclusive).

        Returns:
            One dict per log: tx_hash, log_index, block_number, from, to, units.

        """
        if not addresses:
            return []
        logs: list[Any] = []
        recipients = [self.w3.to_checksum_address(a) for a in addresses]
        for low in range(from_block, to_block + 1, LOG_WINDOW):  # RPCs cap a query's range
            logs += await self.usdc.events.Transfer().get_logs(
                argument_filters={"to": recipients},
                from_block=low,
                to_block=min(low + LOG_WINDOW - 1, to_block),
            )
        return [
            {
                "tx_hash": "0x" + bytes(log["transactionHash"]).hex().removeprefix("0x"),
                "log_index": int(log["logIndex"]),
                "block_number": int(log["blockNumber"]),
                "from": str(log["args"]["from"]),
                "to": str(log["args"]["to"]),
                "units": int(log["args"]["value"]),
            }
            for log in logs
        ]

    async def sponsor_transfer(self, to: str, units: int, sponsor: int = 1) -> dict[str, Any]:
        """Devnet only: an unlocked account gets `units` USDC minted and transfers them to `to`.

        Returns:
            The sponsor's address and the transfer's hash.

        """
        accounts = await self.w3.eth.accounts
        minter, payer = accounts[0], accounts[sponsor]
        mint = await self.usdc.functions.mint(payer, units).transact({"from": minter})
        await self.w3.eth.wait_for_transaction_receipt(mint, timeout=20, poll_latency=0.02)
        sent = await self.usdc.functions.transfer(self.w3.to_checksum_address(to), units).transact(
            {"from": payer}
        )
        await self.w3.eth.wait_for_transaction_receipt(sent, timeout=20, poll_latency=0.02)
        return {
            "sponsor_address": str(payer),
            "tx_hash": "0x" + bytes(sent).hex().removeprefix("0x"),
        }


async def open_chain(settings: Settings) -> EvmChain:
    """Connect to the devnet (anvil) or start the in-process eth-tester fallback."""
    from chimera.platform.devnet import ensure_chain

    info = await asyncio.to_thread(ensure_chain, settings)
    if info is not None:
        from web3 import AsyncHTTPProvider

        w3 = AsyncWeb3(AsyncHTTPProvider(info.rpc_url, request_kwargs={"timeout": 20}))
        local = urlparse(info.rpc_url).hostname in {"127.0.0.1", "localhost", "::1"}
        return EvmChain(w3, info.chain_id, info.usdc_address, devnet=info.embedded or local)
    from web3.providers.eth_tester import AsyncEthereumTesterProvider

    w3 = AsyncWeb3(AsyncEthereumTesterProvider())  # type: ignore[arg-type]
    spec = json.loads(CONTRACT.read_text())
    deployer = (await w3.eth.accounts)[0]
    factory = w3.eth.contract(abi=spec["abi"], bytecode=spec["bytecode"])
    tx_hash = await factory.constructor().transact({"from": deployer})
    receipt = await w3.eth.wait_for_transaction_receipt(tx_hash)
    return EvmChain(w3, int(await w3.eth.chain_id), str(receipt["contractAddress"]), devnet=True)
