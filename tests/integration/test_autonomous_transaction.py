"""The autonomous_transaction skill: the §5.3 example on the devnet, and every refusal.

See specs/functional.md §9.1 (pay), §9.3 (refusals) and specs/technical.md §11.6 (skill entry
points). The sync entry runs with no configuration beyond the session's CHIMERA_HOME: it opens
the embedded services and its own wallet host, provisions the example's wallet on the devnet and
pays for real; the chain is then checked directly.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from chimera.mcp.wallet import open_wallet_host
from chimera.resources import Services
from skills.autonomous_transaction import aexecute_transaction, execute_transaction
from skills.autonomous_transaction.contract import ECHOED
from tests.conftest import ETHIOPIA
from tests.support.mcp import WHO_XYZ, XYZ
from tests.support.wallet import Devnet, funded_wallet, ledger_rows, recipient


def example(**over: Any) -> dict[str, Any]:
    """The CONTRACTS §5.3 example with a well-formed recipient and fresh ids."""
    body: dict[str, Any] = {
        "tenant_id": XYZ,
        "agent_id": ETHIOPIA,
        "wallet_id": f"wallet-abc-{uuid.uuid4().hex[:6]}",
        "network": "base",
        "asset": "USDC",
        "amount": "25.00",
        "to_address": recipient(),
        "purpose": "pay_for_video_generation",
        "campaign_id": f"cmp-summer-ethiopia-{uuid.uuid4().hex[:6]}",
        "budget_guard": {
            "max_per_tx": "50.00",
            "max_daily": "200.00",
            "max_campaign_total": "1000.00",
        },
        "metadata": {"task_id": "uuid-1234", "external_invoice_id": "inv-789"},
    }
    return body | over


def test_contract_example_executes_on_the_devnet_with_real_hash_and_balances(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """specs/functional.md §9.1; specs/technical.md §11.6"""
    monkeypatch.setenv("CHIMERA_HOME", str(svc.settings.home))
    body = example()
    receipt = execute_transaction(**body)
    assert receipt["status"] == "executed", receipt
    assert {k: receipt[k] for k in ECHOED} == {k: body[k] for k in ECHOED}
    assert receipt["metadata"] == body["metadata"] and "budget_guard" not in receipt
    assert len(receipt["tx_hash"]) == 66 and receipt["executed_at"].endswith("Z")
    assert receipt["post_balances"] == {
        "wallet_balance": "975.00",
        "campaign_spend_today": "25.00",
        "campaign_spend_total": "25.00",
    }
    again = execute_transaction(**body)
    assert again["tx_hash"] == receipt["tx_hash"]


async def test_paid_amount_is_on_chain(
    svc: Services, devnet: Devnet, wallet: dict[str, Any]
) -> None:
    """specs/functional.md §9.1"""
    body = example(wallet_id=wallet["wallet_id"])
    receipt = await aexecute_transaction(svc.host, **body)
    assert receipt["status"] == "executed", receipt
    chain_receipt = await devnet.w3.eth.get_transaction_receipt(receipt["tx_hash"])
    assert chain_receipt["status"] == 1
    assert await devnet.usdc_balance(body["to_address"]) == Decimal("25")


@pytest.fixture(scope="module")
async def wallet(svc: Services) -> dict[str, Any]:
    """tenant-xyz's agent wallet, funded once for the module."""
    host = await open_wallet_host(svc.settings, svc.endpoints)
    try:
        return await funded_wallet(host, WHO_XYZ)
    finally:
        await host.aclose()


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"amount": "1e3"}, "plain decimal"),
        ({"amount": "-5"}, "plain decimal"),
        ({"amount": "25.0000001"}, "more than 6 decimals"),
        ({"to_address": "0x1234abcd..."}, "20-byte"),
        ({"amount": "60.00"}, "max_per_tx budget exceeded"),
        (
            {"budget_guard": {"max_per_tx": "50", "max_daily": "20", "max_campaign_total": "900"}},
            "max_daily budget exceeded",
        ),
        (
            {"budget_guard": {"max_per_tx": "50", "max_daily": "200", "max_campaign_total": "10"}},
            "max_campaign_total budget exceeded",
        ),
        ({"wallet_id": "wallet-of-nobody"}, "not found"),
        ({"budget_guard": {"max_per_tx": "50"}}, "budget_guard"),
    ],
)
async def test_refusals_carry_a_reason_and_reserve_nothing(
    svc: Services, devnet: Devnet, wallet: dict[str, Any], over: dict[str, Any], reason: str
) -> None:
    """specs/functional.md §9.3"""
    body = example(wallet_id=wallet["wallet_id"]) | over
    nonce = await devnet.nonce(wallet["address"])
    receipt = await aexecute_transaction(svc.host, **body)
    assert receipt["status"] == "rejected"
    assert reason in receipt["reason"]
    assert receipt["metadata"] == body["metadata"] and receipt["tenant_id"] == XYZ
    assert await ledger_rows(svc, XYZ, body["campaign_id"]) == []
    assert await devnet.nonce(wallet["address"]) == nonce
