"""The coinbase wallet provider: AgentKit loading, analytics off, startup checks, CDP wallets.

`CHIMERA_WALLET_PROVIDER=coinbase` pays on Base through Coinbase CDP server wallets opened with
AgentKit's `CdpEvmWalletProvider` (coinbase_agentkit 0.7.x, file
`coinbase_agentkit/wallet_providers/cdp_evm_wallet_provider.py`). The package is the optional
extra `coinbase` (`uv sync --extra coinbase --no-dev`): it pins langgraph-api and cffi below what
the dev group needs, so uv resolves it in its own fork and the default install never sees it.

AgentKit phones home: `coinbase_agentkit.analytics.send_analytics_event` does a `requests.post`
with no timeout, called when any wallet provider is constructed (`WalletProvider.__call__` ->
`track_initialization`) and on every action (`action_decorator.create_action`). The modules
import the function by name, so patching the package attribute alone would not stop them: every
loaded `coinbase_agentkit.*` module's reference is replaced. The CDP SDK underneath reads
`DISABLE_CDP_USAGE_TRACKING` / `DISABLE_CDP_ERROR_REPORTING` (`cdp/analytics.py`). Both are
switched off before the first AgentKit object exists. Wallet keys stay at Coinbase: no key is
generated or stored in this process (specs/technical.md §11.9).
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import os
import sys
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from chimera.platform.settings import Settings
from servers.runtime import InvalidArgument

EXTRA_HINT = "uv sync --extra coinbase --no-dev"
ANALYTICS_ENV = {"DISABLE_CDP_USAGE_TRACKING": "true", "DISABLE_CDP_ERROR_REPORTING": "true"}
"""The CDP SDK's own off switches (read on every event)."""

NETWORK_LABELS = {"base-mainnet": ("base",), "base-sepolia": ("base", "base-sepolia")}
"""Request networks each CDP network serves: test money may answer to `base`, never the reverse."""


class CoinbaseUnavailable(RuntimeError):
    """The coinbase provider is selected but cannot start (extra or keys missing)."""


def _no_analytics(*_: Any, **__: Any) -> None:
    """Stands in for AgentKit's analytics sender: nothing leaves the process."""


def disable_analytics(
    modules: Mapping[str, Any] | None = None, environ: MutableMapping[str, str] | None = None
) -> list[str]:
    """Switch AgentKit's and the CDP SDK's analytics off; returns the patched module names.

    Args:
        modules: Loaded modules to patch (default `sys.modules`).
        environ: Environment to set the CDP switches in (default `os.environ`).

    """
    modules = sys.modules if modules is None else modules
    environ = os.environ if environ is None else environ
    environ.update(ANALYTICS_ENV)
    patched = []
    for name, module in list(modules.items()):
        if not name.startswith("coinbase_agentkit") or module is None:
            continue
        current = getattr(module, "send_analytics_event", None)
        if callable(current) and current is not _no_analytics and not _is_module(current):
            module.send_analytics_event = _no_analytics
            patched.append(name)
    return sorted(patched)


def _is_module(value: Any) -> bool:
    return type(value).__name__ == "module"


@dataclass(frozen=True)
class AgentKitApi:
    """The three AgentKit / CDP SDK names the provider uses (a fake in tests)."""

    provider_cls: Callable[[Any], Any]
    """`coinbase_agentkit.CdpEvmWalletProvider`."""
    config_cls: Callable[..., Any]
    """`coinbase_agentkit.CdpEvmWalletProviderConfig`."""
    tx_request: Callable[..., Any]
    """`cdp.evm_transaction_types.TransactionRequestEIP1559`."""


def load_agentkit() -> AgentKitApi:
    """Import AgentKit with its analytics switched off.

    Raises:
        CoinbaseUnavailable: the `coinbase` extra is not installed.

    """
    try:
        agentkit = importlib.import_module("coinbase_agentkit")
        importlib.import_module("coinbase_agentkit.action_providers.action_decorator")
        tx_types = importlib.import_module("cdp.evm_transaction_types")
    except ImportError as exc:
        raise CoinbaseUnavailable(
            "CHIMERA_WALLET_PROVIDER=coinbase needs the optional extra `coinbase`"
            f" (coinbase-agentkit 0.7.x); install it with `{EXTRA_HINT}` ({exc})"
        ) from exc
    disable_analytics()
    return AgentKitApi(
        agentkit.CdpEvmWalletProvider,
        agentkit.CdpEvmWalletProviderConfig,
        tx_types.TransactionRequestEIP1559,
    )


def open_cdp(settings: Settings, api: AgentKitApi | None = None) -> CdpWallets:
    """Check the coinbase configuration at startup and return the CDP wallet factory.

    Raises:
        CoinbaseUnavailable: keys missing or the extra not installed, naming what to set.

    """
    missing = [
        name
        for name, value in (
            ("CHIMERA_CDP_API_KEY_ID", settings.cdp_api_key_id),
            ("CHIMERA_CDP_API_KEY_SECRET", settings.cdp_api_key_secret),
            ("CHIMERA_CDP_WALLET_SECRET", settings.cdp_wallet_secret),
        )
        if not value or (hasattr(value, "get_secret_value") and not value.get_secret_value())
    ]
    if missing:
        raise CoinbaseUnavailable(
            f"CHIMERA_WALLET_PROVIDER=coinbase needs the CDP keys: set {', '.join(missing)}"
            f" (and install the extra with `{EXTRA_HINT}`)"
        )
    return CdpWallets(settings, api or load_agentkit())


def cdp_key(tenant_id: str, key: str) -> str:
    """The CDP idempotency key of a tenant's key (CDP allows 1-128 characters)."""
    return "chimera-" + hashlib.sha256(f"{tenant_id}\x00{key}".encode()).hexdigest()


@dataclass
class CdpWallets:
    """Opens AgentKit CDP EVM wallet providers, one per server-wallet address, cached."""

    settings: Settings
    api: AgentKitApi
    _providers: dict[str, Any] = field(default_factory=dict, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    @property
    def sdk_network(self) -> str:
        """The network name the CDP SDK expects (`base` or `base-sepolia`)."""
        return "base" if self.settings.cdp_network == "base-mainnet" else "base-sepolia"

    def check_network(self, network: str) -> None:
        """Refuse request networks this provider does not pay on.

        Raises:
            InvalidArgument: naming the configured CDP network.

        """
        served = NETWORK_LABELS[self.settings.cdp_network]
        if network not in served:
            raise InvalidArgument(
                f"network {network!r} is not served by the coinbase provider"
                f" (CHIMERA_CDP_NETWORK={self.settings.cdp_network}); use one of {served}"
            )

    def _config(self, **where: Any) -> Any:
        secret, wallet = self.settings.cdp_api_key_secret, self.settings.cdp_wallet_secret
        return self.api.config_cls(
            api_key_id=self.settings.cdp_api_key_id,
            api_key_secret=secret.get_secret_value() if secret else None,
            wallet_secret=wallet.get_secret_value() if wallet else None,
            network_id=self.settings.cdp_network,
            rpc_url=self.settings.cdp_rpc_url,
            **where,
        )

    async def create(self, tenant_id: str, wallet_id: str) -> str:
        """Create (idempotently, per tenant and wallet id) a CDP server account; its address."""
        config = self._config(idempotency_key=cdp_key(tenant_id, f"wallet:{wallet_id}"))
        provider = await asyncio.to_thread(self.api.provider_cls, config)
        address = str(provider.get_address())
        async with self._lock:
            self._providers.setdefault(address.lower(), provider)
        return address

    async def provider(self, address: str) -> Any:
        """The wallet provider of an existing server account (constructed once)."""
        async with self._lock:
            found = self._providers.get(address.lower())
            if found is None:
                config = self._config(address=address)
                found = await asyncio.to_thread(self.api.provider_cls, config)
                self._providers[address.lower()] = found
            return found
