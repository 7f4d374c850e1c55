"""send_transaction, the wallet payment payload (specs/technical.md §2.6, §2.1 Money)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from state.contracts import TransactionRequest
from tests.support.builders import error_locs

GOOD_ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"


def _transaction(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tenant_id": "tenant-xyz",
        "agent_id": "agent-ethiopia-fashion-001",
        "wallet_id": "wallet-abc",
        "network": "base",
        "asset": "USDC",
        "amount": "25.00",
        "to_address": GOOD_ADDRESS,
        "purpose": "pay_for_video_generation",
        "budget_guard": {
            "campaign_id": "cmp-summer-ethiopia-2026",
            "max_per_tx": "50.00",
            "max_daily": "200.00",
        },
        "metadata": {"task_id": "uuid-1234"},
    }
    data.update(overrides)
    return data


def test_transaction_request_with_a_well_formed_address_validates() -> None:
    """specs/technical.md §2.6"""
    assert TransactionRequest.model_validate(_transaction()).amount == "25.00"


@pytest.mark.parametrize(
    "address", ["0x1234abcd...", "0x1234", GOOD_ADDRESS[2:], GOOD_ADDRESS + "00", "0xZZ" + "0" * 38]
)
def test_transaction_request_with_a_malformed_to_address_is_rejected(address: str) -> None:
    """specs/technical.md §2.6 (`to_address`); specs/technical.md §2 (reject invalid values)"""
    with pytest.raises(ValidationError) as exc:
        TransactionRequest.model_validate(_transaction(to_address=address))
    assert ("to_address",) in error_locs(exc)


@pytest.mark.parametrize("field", ["amount", "max_per_tx"])
def test_transaction_money_fields_reject_exponent_notation(field: str) -> None:
    """specs/technical.md §2.1 (Money), §2.6"""
    if field == "amount":
        data = _transaction(amount="1e3")
    else:
        data = _transaction(budget_guard={**_transaction()["budget_guard"], "max_per_tx": "1e3"})
    with pytest.raises(ValidationError):
        TransactionRequest.model_validate(data)
