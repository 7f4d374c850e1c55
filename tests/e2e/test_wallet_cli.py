"""`chimera wallet create|balance|fund|history` as users run it: subprocesses, JSON, exit codes.

See specs/functional.md §9.6 (wallet CLI).
"""

from __future__ import annotations

import pytest

from chimera.resources import Services
from tests.conftest import LAGOS
from tests.e2e.test_cli import chimera

pytestmark = pytest.mark.slow


@pytest.mark.timeout(900)  # each command starts Python, the services and the wallet server
def test_create_fund_balance_and_history_through_the_cli(svc: Services) -> None:
    """specs/functional.md §9.6"""
    settings, tenant = svc.settings, ["--tenant", "tenant-abc"]
    code, made, err = chimera(settings, "wallet", "create", "--agent", LAGOS, *tenant)
    assert code == 0, err
    assert made["address"].startswith("0x") and set(made) == {
        "wallet_id",
        "agent_id",
        "network",
        "address",
        "created",
    }
    code, funded, err = chimera(settings, "wallet", "fund", "--agent", LAGOS, *tenant)
    assert code == 0, err
    assert funded["funded"] == {"ETH": "1.00", "USDC": "1000.00"}
    assert funded["wallet_id"] == made["wallet_id"]
    code, rows, _ = chimera(settings, "wallet", "history", *tenant)
    assert code == 0 and isinstance(rows, list)
    code, out, _ = chimera(
        settings, "wallet", "balance", "--agent", LAGOS, "--tenant", "tenant-xyz"
    )
    assert code == 2 and "not found" in out["error"]
