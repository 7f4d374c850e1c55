"""The coinbase provider through the real ledger: CDP server wallets behind AgentKit's interface.

See specs/technical.md §11.9. CDP cannot be reached from here, so the wallet provider is
`tests.support.cdp_fakes.FakeWalletProvider` (AgentKit 0.7.4's `CdpEvmWalletProvider`
interface); the ledger, the send lock and row-level security are the real embedded Postgres the
wallet server uses. Every outcome is checked on both sides: CDP's transfers and the ledger rows.
The CDP wallets live on `base-sepolia` so the agents' default `base` devnet wallets (other modules)
stay the first ones found.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr

from chimera.platform.db import tenant_tx
from chimera.platform.devnet import CONTRACT
from chimera.resources import Services
from servers.runtime import InvalidArgument, Transient, payload_hash
from servers.wallet import ledger, receipts, sender
from servers.wallet.cdp_chain import classify, erc20_transfer_data
from servers.wallet.coinbase import CdpWallets, cdp_key, open_cdp
from servers.wallet.deps import WalletDeps, open_wallet_deps
from servers.wallet.wallets import new_wallet
from tests.support.cdp_fakes import FakeApiError, FakeCdp
from tests.support.mcp import WHO_ABC, WHO_XYZ
from tests.support.wallet import campaign, ledger_rows, recipient

CDP_KEYS = {
    "wallet_provider": "coinbase",
    "cdp_api_key_id": "organizations/test/apiKeys/test",
    "cdp_api_key_secret": SecretStr("test-api-secret"),
    "cdp_wallet_secret": SecretStr("test-wallet-secret"),
}


@pytest.fixture
async def cdp(svc: Services) -> AsyncIterator[tuple[WalletDeps, FakeCdp]]:
    """Wallet-server resources on the session's Postgres with the coinbase provider."""
    settings = svc.settings.model_copy(update=CDP_KEYS)
    fake = FakeCdp()
    wallets = open_cdp(settings, fake.api())
    async with open_wallet_deps(settings, svc.endpoints.pg_app, wallets) as deps:
        yield deps, fake


async def cdp_wallet(deps: WalletDeps, fake: FakeCdp, who: Any = WHO_XYZ) -> dict[str, Any]:
    """A new funded CDP server wallet of the agent."""
    wallet_id = f"wallet-cdp-{uuid.uuid4().hex[:10]}"
    wallet = await new_wallet(deps, who.tenant_id, who.agent_id, "base-sepolia", wallet_id)
    fake.fund(wallet["address"])
    return wallet


async def pay(
    deps: WalletDeps,
    wallet: dict[str, Any],
    cmp: str,
    *,
    amount: str = "25.00",
    key: str | None = None,
    caps: tuple[str, str, str] = ("50", "200", "1000"),
    network: str = "base-sepolia",
    who: Any = WHO_XYZ,
) -> dict[str, Any]:
    """sender.send as the send_transaction tool calls it (validated hold, caps, digest)."""
    hold = ledger.Hold(
        tenant_id=who.tenant_id,
        agent_id=who.agent_id,
        wallet_id=wallet["wallet_id"],
        campaign_id=cmp,
        network=network,
        asset="USDC",
        amount=Decimal(amount),
        to_address=recipient(),
        purpose="pay_for_video_generation",
        metadata={},
    )
    caps_ = ledger.Caps(*(Decimal(c) for c in caps))
    digest = payload_hash({"wallet": hold.wallet_id, "amount": amount, "campaign": cmp})
    key = key or f"test-cdp-{uuid.uuid4().hex}"
    return await sender.send(deps, hold, caps_, key, digest, wallet["address"])


async def spend(deps: WalletDeps, cmp: str, tenant_id: str = WHO_XYZ.tenant_id) -> dict[str, Any]:
    async with tenant_tx(deps.pool, tenant_id) as conn:
        return dict((await receipts.campaign_spend(conn, cmp))["assets"]["USDC"])


async def test_pays_through_cdp_once_per_key_and_keeps_no_key(
    svc: Services, cdp: tuple[WalletDeps, FakeCdp]
) -> None:
    """specs/technical.md §11.9"""
    deps, fake = cdp
    wallet, cmp, key = await cdp_wallet(deps, fake), campaign(), f"test-cdp-{uuid.uuid4().hex}"
    first = await pay(deps, wallet, cmp, key=key)
    again = await pay(deps, wallet, cmp, key=key)
    assert first["status"] == "executed" and first["duplicate"] is False, first
    assert again["duplicate"] is True and again["tx_hash"] == first["tx_hash"]
    assert len(fake.transfers) == 1 and fake.transfers[0]["key"] == cdp_key(WHO_XYZ.tenant_id, key)
    assert fake.transfers[0]["units"] == 25_000_000 and first["nonce"] is None
    assert first["post_balances"]["wallet_balance"] == "975.00"
    rows = await ledger_rows(svc, WHO_XYZ.tenant_id, cmp)
    assert [(r["status"], r["tx_hash"]) for r in rows] == [("settled", first["tx_hash"])]
    keystore = svc.settings.home.resolve() / "keystore" / WHO_XYZ.tenant_id
    assert not (keystore / f"{wallet['wallet_id']}.json").exists()
    assert all(c.address or c.idempotency_key for c in fake.configs)


async def test_a_lost_answer_stays_pending_and_the_retry_never_pays_twice(
    svc: Services, cdp: tuple[WalletDeps, FakeCdp]
) -> None:
    """specs/technical.md §11.9"""
    deps, fake = cdp
    wallet, cmp, key = await cdp_wallet(deps, fake), campaign(), f"test-cdp-{uuid.uuid4().hex}"
    fake.lose_answers = 1
    with pytest.raises(Transient, match="outcome is unknown"):
        await pay(deps, wallet, cmp, key=key)
    rows = await ledger_rows(svc, WHO_XYZ.tenant_id, cmp)
    assert [(r["status"], r["tx_hash"]) for r in rows] == [("pending", None)]
    assert (await spend(deps, cmp))["held"] == "25.00"
    retried = await pay(deps, wallet, cmp, key=key)
    assert retried["status"] == "executed" and len(fake.transfers) == 1
    assert fake.balance(wallet["address"], "USDC") == 975_000_000
    assert (await spend(deps, cmp))["settled_total"] == "25.00"


async def test_a_refused_transfer_releases_its_hold(
    svc: Services, cdp: tuple[WalletDeps, FakeCdp]
) -> None:
    """specs/technical.md §11.9"""
    deps, fake = cdp
    wallet, cmp = await cdp_wallet(deps, fake), campaign()
    fake.refuse_next.append(FakeApiError(400, "invalid_request", "policy violation"))
    failed = await pay(deps, wallet, cmp, amount="50.00", caps=("50", "50", "50"))
    assert failed["status"] == "failed" and "CDP refused" in failed["reason"], failed
    assert fake.transfers == [] and (await spend(deps, cmp))["spend_total"] == "0.00"
    full = await pay(deps, wallet, cmp, amount="50.00", caps=("50", "50", "50"))
    assert full["status"] == "executed" and len(fake.transfers) == 1
    poor = await cdp_wallet(deps, fake)
    fake.fund(poor["address"], usdc=10 * 10**6)
    short = await pay(deps, poor, campaign())
    assert short["status"] == "failed" and "insufficient USDC" in short["reason"]
    assert len(fake.transfers) == 1


async def test_concurrent_payments_never_exceed_the_cap(
    svc: Services, cdp: tuple[WalletDeps, FakeCdp]
) -> None:
    """specs/technical.md §11.9"""
    deps, fake = cdp
    wallet, cmp = await cdp_wallet(deps, fake), campaign()
    results = await asyncio.gather(
        *(pay(deps, wallet, cmp, amount="30.00", caps=("50", "1000", "100")) for _ in range(12))
    )
    executed = [r for r in results if r["status"] == "executed"]
    assert len(executed) == 3 and len(fake.transfers) == 3
    assert all("max_campaign_total" in r["reason"] for r in results if r not in executed)
    assert (await spend(deps, cmp))["spend_total"] == "90.00"


async def test_tenants_get_distinct_cdp_keys(cdp: tuple[WalletDeps, FakeCdp]) -> None:
    """specs/technical.md §11.9"""
    deps, fake = cdp
    key = f"test-cdp-{uuid.uuid4().hex}"
    for who in (WHO_XYZ, WHO_ABC):
        wallet = await cdp_wallet(deps, fake, who)
        assert (await pay(deps, wallet, campaign(), key=key, who=who))["status"] == "executed"
    assert len({t["key"] for t in fake.transfers}) == 2


async def test_no_faucet_and_foreign_networks_refused_before_reserving(
    svc: Services, cdp: tuple[WalletDeps, FakeCdp]
) -> None:
    """specs/technical.md §11.9"""
    deps, fake = cdp
    wallet, cmp = await cdp_wallet(deps, fake), campaign()
    reader = await deps.reader()
    assert reader.devnet is False
    with pytest.raises(InvalidArgument, match="faucet"):
        await reader.fund(wallet["address"])
    with pytest.raises(InvalidArgument, match="CHIMERA_CDP_NETWORK=base-sepolia"):
        await pay(deps, wallet, cmp, network="devnet")
    assert await ledger_rows(svc, WHO_XYZ.tenant_id, cmp) == []
    on_mainnet = deps.settings.model_copy(update={"cdp_network": "base-mainnet"})
    mainnet = CdpWallets(on_mainnet, fake.api())
    with pytest.raises(InvalidArgument, match="not served"):
        mainnet.check_network("base-sepolia")
    mainnet.check_network("base")
    assert deps.cdp is not None
    deps.cdp.check_network("base")  # test money may answer to `base`
    assert fake.transfers == []


def test_startup_names_the_missing_keys_and_the_extra(svc: Services) -> None:
    """specs/technical.md §11.9"""
    keyless = svc.settings.model_copy(update={"wallet_provider": "coinbase"})
    with pytest.raises(RuntimeError, match="CHIMERA_CDP_API_KEY_ID") as err:
        open_cdp(keyless)
    assert "CHIMERA_CDP_WALLET_SECRET" in str(err.value)
    assert "uv sync --extra coinbase" in str(err.value)


def test_startup_without_the_extra_names_setting_and_command(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """specs/technical.md §11.9"""
    monkeypatch.setitem(sys.modules, "coinbase_agentkit", None)  # as if not installed
    with pytest.raises(RuntimeError) as err:
        open_cdp(svc.settings.model_copy(update=CDP_KEYS))
    assert "CHIMERA_WALLET_PROVIDER=coinbase" in str(err.value)
    assert "uv sync --extra coinbase --no-dev" in str(err.value)


async def test_the_wallet_server_refuses_to_start_misconfigured(svc: Services) -> None:
    """specs/technical.md §11.9"""
    env = {
        **{k: v for k, v in __import__("os").environ.items() if not k.startswith("CHIMERA_CDP")},
        "CHIMERA_HOME": str(svc.settings.home),
        "CHIMERA_WALLET_PROVIDER": "coinbase",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "servers.wallet",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode != 0
    assert b"CHIMERA_CDP_API_KEY_ID" in stderr and b"uv sync --extra coinbase" in stderr


def test_usdc_calldata_and_error_classes() -> None:
    """specs/technical.md §11.9"""
    from web3 import Web3

    from servers.wallet.signing import BroadcastRejected, BroadcastUnknown

    token = Web3().eth.contract(abi=json.loads(CONTRACT.read_text())["abi"])
    to = recipient()
    assert erc20_transfer_data(to, 25_000_000) == token.encode_abi("transfer", [to, 25_000_000])
    assert isinstance(classify(FakeApiError(400, "invalid_request", "no")), BroadcastRejected)
    for code in (0, 409, 429, 500, 503):
        assert isinstance(classify(FakeApiError(code, "x", "maybe")), BroadcastUnknown), code
    assert isinstance(classify(TimeoutError()), BroadcastUnknown)
