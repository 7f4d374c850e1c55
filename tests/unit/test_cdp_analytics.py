"""AgentKit's analytics are off before any AgentKit object exists: nothing leaves the process.

See specs/technical.md §11.9. coinbase-agentkit 0.7.x posts events with `requests.post` and no
timeout from `coinbase_agentkit.analytics.send_analytics_event`, a name imported into
`wallet_providers/wallet_provider.py` (every provider construction) and
`action_providers/action_decorator.py` (every action); the CDP SDK underneath has env switches.
The first test runs always, on fake modules with that attribute layout; the second runs only when
the `coinbase` extra is installed (`uv sync --extra coinbase --no-dev`) and blocks the network.
"""

from __future__ import annotations

import importlib.util
import socket
from types import ModuleType
from typing import Any

import pytest

from servers.wallet.coinbase import ANALYTICS_ENV, disable_analytics

HAS_EXTRA = importlib.util.find_spec("coinbase_agentkit") is not None


def fake_agentkit(sent: list[Any]) -> dict[str, Any]:
    """Modules laid out like coinbase_agentkit 0.7.4, each holding the analytics sender."""

    def send_analytics_event(event: Any) -> None:
        sent.append(event)

    submodule = ModuleType("coinbase_agentkit.analytics.send_analytics_event")
    submodule.send_analytics_event = send_analytics_event  # type: ignore[attr-defined]
    modules: dict[str, Any] = {"coinbase_agentkit": ModuleType("coinbase_agentkit")}
    for name in (
        "coinbase_agentkit.analytics",
        "coinbase_agentkit.wallet_providers.wallet_provider",
        "coinbase_agentkit.action_providers.action_decorator",
    ):
        module = ModuleType(name)
        module.send_analytics_event = send_analytics_event  # type: ignore[attr-defined]
        modules[name] = module
    modules[submodule.__name__] = submodule
    modules["coinbase_agentkit.missing"] = None  # a failed import leaves None in sys.modules
    modules["other.analytics"] = ModuleType("other.analytics")
    modules["other.analytics"].send_analytics_event = send_analytics_event
    return modules


def test_every_reference_to_the_sender_is_replaced_and_cdp_switches_set() -> None:
    """specs/technical.md §11.9"""
    sent: list[Any] = []
    modules, env = fake_agentkit(sent), {"DISABLE_CDP_USAGE_TRACKING": "false"}
    patched = disable_analytics(modules, env)
    assert patched == [
        "coinbase_agentkit.action_providers.action_decorator",
        "coinbase_agentkit.analytics",
        "coinbase_agentkit.analytics.send_analytics_event",
        "coinbase_agentkit.wallet_providers.wallet_provider",
    ]
    for name in patched:
        modules[name].send_analytics_event({"name": "agent_initialization"})
    assert sent == [] and env == ANALYTICS_ENV
    modules["other.analytics"].send_analytics_event({"name": "untouched"})
    assert sent == [{"name": "untouched"}]  # only AgentKit's modules are touched
    assert disable_analytics(modules, env) == []  # idempotent


@pytest.mark.skipif(not HAS_EXTRA, reason="the coinbase extra is not installed")
def test_installed_agentkit_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """specs/technical.md §11.9"""
    from servers.wallet.coinbase import load_agentkit

    for name in ANALYTICS_ENV:
        monkeypatch.delenv(name, raising=False)
    load_agentkit()
    tried: list[Any] = []

    def no_network(self: socket.socket, address: Any) -> None:
        tried.append(address)
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    import requests
    from cdp import analytics as cdp_analytics
    from coinbase_agentkit.action_providers.action_decorator import create_action
    from coinbase_agentkit.network import Network
    from coinbase_agentkit.wallet_providers.wallet_provider import WalletProvider

    monkeypatch.setattr(requests, "post", lambda *a, **k: tried.append(("post", a)))
    monkeypatch.setattr(cdp_analytics, "_run_async_in_sync", lambda *a, **k: tried.append(a))

    class Local(WalletProvider):
        def get_address(self) -> str:
            return "0x" + "11" * 20

        def get_network(self) -> Network:
            return Network(protocol_family="evm", network_id="base-sepolia", chain_id="84532")

        def get_balance(self) -> Any:
            return 0

        def sign_message(self, message: str) -> str:
            return ""

        def native_transfer(self, to: str, value: Any) -> str:
            return ""

        def get_name(self) -> str:
            return "local"

    Local()  # the metaclass tracks every construction

    @create_action(name="noop", description="no-op")
    def noop() -> str:
        return "ran"

    assert noop() == "ran"
    cdp_analytics.track_action(action="transfer", properties={"network": "base"})
    cdp_analytics.track_error(RuntimeError("boom"), "send_transaction")
    assert tried == []


@pytest.mark.skipif(not HAS_EXTRA, reason="the coinbase extra is not installed")
def test_the_fake_provider_and_our_calls_match_installed_agentkit() -> None:
    """specs/technical.md §11.9"""
    import inspect

    from cdp.evm_client import EvmClient
    from coinbase_agentkit import CdpEvmWalletProvider

    from chimera.platform.settings import Settings
    from servers.wallet.cdp_chain import USDC, erc20_transfer_data
    from servers.wallet.coinbase import CdpWallets, load_agentkit
    from tests.support.cdp_fakes import FakeWalletProvider

    for name in (
        "get_address",
        "get_balance",
        "read_contract",
        "wait_for_transaction_receipt",
        "get_client",
    ):
        real = list(inspect.signature(getattr(CdpEvmWalletProvider, name)).parameters)
        fake = list(inspect.signature(getattr(FakeWalletProvider, name)).parameters)
        assert fake == real[: len(fake)], name
    sent = inspect.signature(EvmClient.send_transaction).parameters
    assert {"address", "transaction", "network", "idempotency_key"} <= set(sent)
    api = load_agentkit()
    settings = Settings(cdp_api_key_id="id", cdp_api_key_secret="s", cdp_wallet_secret="w")
    config = CdpWallets(settings, api)._config(address="0x" + "22" * 20)
    assert (config.network_id, config.api_key_secret) == ("base-sepolia", "s")
    data = erc20_transfer_data(config.address, 5)
    tx = api.tx_request(to=USDC["base-sepolia"], value=0, data=data)
    assert tx.data.endswith("5") and tx.to == USDC["base-sepolia"]
