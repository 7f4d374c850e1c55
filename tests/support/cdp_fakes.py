"""A fake Coinbase CDP behind AgentKit's wallet-provider interface (CDP cannot be reached here).

`FakeWalletProvider` has the public methods and return shapes of coinbase-agentkit 0.7.4's
`CdpEvmWalletProvider` (`coinbase_agentkit/wallet_providers/cdp_evm_wallet_provider.py`): a
constructor taking a `CdpEvmWalletProviderConfig` (api_key_id, api_key_secret, wallet_secret,
network_id, address, idempotency_key, rpc_url) that raises ValueError without keys and creates or
gets the server account; `get_address() -> str`; `get_balance() -> Decimal` (wei);
`read_contract(contract_address, abi, function_name, args)`;
`wait_for_transaction_receipt(tx_hash, timeout, poll_latency) -> dict` (web3's TimeExhausted when
unknown) and `get_client()`, an async context manager whose `evm.send_transaction(address=,
transaction=, network=, idempotency_key=) -> str` behaves like CDP's API: a repeated
idempotency key returns the first answer and moves nothing. `FakeCdp` is Coinbase's side:
accounts, balances, transfers and receipts, with fault injection.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from web3.exceptions import TimeExhausted

from servers.wallet.cdp_chain import USDC
from servers.wallet.coinbase import AgentKitApi


class FakeApiError(Exception):
    """Shaped like `cdp.openapi_client.errors.ApiError` (http_code 0 = no response)."""

    def __init__(self, http_code: int, error_type: str, error_message: str) -> None:
        super().__init__(error_message)
        self.http_code = http_code
        self.error_type = error_type
        self.error_message = error_message


@dataclass
class FakeConfig:
    """The fields of `CdpEvmWalletProviderConfig`."""

    api_key_id: str | None = None
    api_key_secret: str | None = None
    wallet_secret: str | None = None
    network_id: str | None = None
    address: str | None = None
    idempotency_key: str | None = None
    rpc_url: str | None = None


@dataclass
class FakeTxRequest:
    """The fields of `cdp.evm_transaction_types.TransactionRequestEIP1559` we send."""

    to: str
    value: int = 0
    data: str = "0x"


@dataclass
class FakeCdp:
    """Coinbase's side: server accounts, balances, one transfer per idempotency key."""

    accounts: dict[str, str] = field(default_factory=dict)
    balances: dict[tuple[str, str], int] = field(default_factory=dict)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    receipts: dict[str, int] = field(default_factory=dict)
    refuse_next: list[Exception] = field(default_factory=list)
    lose_answers: int = 0
    configs: list[FakeConfig] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def api(self) -> AgentKitApi:
        """The AgentKit names, bound to this fake."""
        return AgentKitApi(
            lambda config: FakeWalletProvider(self, config), FakeConfig, FakeTxRequest
        )

    def fund(self, address: str, *, eth: int = 10**18, usdc: int = 1_000 * 10**6) -> None:
        """Put test balances on a server account."""
        with self.lock:
            self.balances[(address.lower(), "ETH")] = eth
            self.balances[(address.lower(), "USDC")] = usdc

    def balance(self, address: str, asset: str) -> int:
        """Balance of an address in base units."""
        with self.lock:
            return self.balances.get((address.lower(), asset), 0)

    def send(self, address: str, tx: FakeTxRequest, network: str, key: str | None) -> str:
        """CDP's send_transaction: idempotent per key, checks funds, moves the balance."""
        assert key, "every transfer must carry an idempotency key"
        with self.lock:
            if key in self.answers:
                return self.answers[key]
            if self.refuse_next:
                raise self.refuse_next.pop(0)
            asset, to, units = _decode(tx, network)
            if self.balances.get((address.lower(), asset), 0) < units:
                raise FakeApiError(400, "invalid_request", "insufficient balance")
            self.balances[(address.lower(), asset)] -= units
            self.balances[(to.lower(), asset)] = self.balances.get((to.lower(), asset), 0) + units
            tx_hash = "0x" + hashlib.sha256(key.encode()).hexdigest()
            self.answers[key], self.receipts[tx_hash] = tx_hash, 1
            self.transfers.append(
                {"from": address, "to": to, "asset": asset, "units": units, "key": key}
            )
            if self.lose_answers:
                self.lose_answers -= 1
                raise FakeApiError(0, "network_timeout", "request timed out")
            return tx_hash


def _decode(tx: FakeTxRequest, network: str) -> tuple[str, str, int]:
    if tx.data in ("", "0x"):
        return "ETH", tx.to, tx.value
    net = "base-mainnet" if network == "base" else network
    assert tx.to.lower() == USDC[net].lower() and tx.data.startswith("0xa9059cbb")
    return "USDC", "0x" + tx.data[10 + 24 : 10 + 64], int(tx.data[10 + 64 :], 16)


class FakeWalletProvider:
    """`CdpEvmWalletProvider`'s public interface over `FakeCdp`."""

    def __init__(self, cdp: FakeCdp, config: FakeConfig) -> None:
        if not (config.api_key_id and config.api_key_secret and config.wallet_secret):
            raise ValueError("Failed to initialize CDP wallet: Missing required keys")
        self._cdp = cdp
        self._network = config.network_id or "base-sepolia"
        with cdp.lock:
            cdp.configs.append(config)
            if config.address:
                self._address = config.address
            else:
                key = config.idempotency_key or str(len(cdp.accounts))
                digest = hashlib.sha256(f"account:{key}".encode()).hexdigest()
                self._address = cdp.accounts.setdefault(key, "0x" + digest[:40])

    def get_address(self) -> str:
        return self._address

    def get_name(self) -> str:
        return "cdp_evm_wallet_provider"

    def get_network(self) -> Any:
        chain_id = "8453" if self._network == "base-mainnet" else "84532"
        return SimpleNamespace(protocol_family="evm", network_id=self._network, chain_id=chain_id)

    def get_balance(self) -> Decimal:
        return Decimal(self._cdp.balance(self._address, "ETH"))

    def read_contract(
        self, contract_address: str, abi: list[dict[str, Any]], function_name: str, args: Any = None
    ) -> Any:
        assert contract_address == USDC[self._network] and function_name == "balanceOf"
        assert [f["name"] for f in abi] == ["balanceOf"]
        return self._cdp.balance(args[0], "USDC")

    def wait_for_transaction_receipt(
        self, tx_hash: str, timeout: float = 120, poll_latency: float = 0.1
    ) -> dict[str, Any]:
        with self._cdp.lock:
            status = self._cdp.receipts.get(tx_hash)
        if status is None:
            raise TimeExhausted(f"transaction {tx_hash} not in the chain after {timeout} s")
        return {"transactionHash": tx_hash, "status": status}

    def get_client(self) -> _FakeClient:
        return _FakeClient(self._cdp)


class _FakeEvm:
    def __init__(self, cdp: FakeCdp) -> None:
        self._cdp = cdp

    async def send_transaction(
        self, address: str, transaction: Any, network: str, idempotency_key: str | None = None
    ) -> str:
        return self._cdp.send(address, transaction, network, idempotency_key)


class _FakeClient:
    """`CdpClient` as an async context manager exposing `.evm`."""

    def __init__(self, cdp: FakeCdp) -> None:
        self.evm = _FakeEvm(cdp)

    async def __aenter__(self) -> _FakeClient:
        return self

    async def __aexit__(self, *_: Any) -> None:
        return None
