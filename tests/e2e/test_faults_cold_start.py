"""Concurrent first starts on a new data dir all succeed (fault battery: cold start)."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import ETHIOPIA
from tests.support.faults import env_for, fresh_home, run_python
from tests.support.wallet import recipient

pytestmark = pytest.mark.slow

PAY = """
import json, sys
from skills.autonomous_transaction import execute_transaction
print(json.dumps(execute_transaction(**json.loads(sys.argv[1]))))
"""


async def test_four_first_runs_on_a_new_data_dir_all_succeed(tmp_path: Path) -> None:
    """specs/faults.md §1.1, §1.2"""
    with fresh_home(tmp_path / "h"):
        env = env_for(tmp_path / "h")
        runs = [
            run_python(
                [
                    "-m",
                    "chimera",
                    "run",
                    "--agent",
                    ETHIOPIA,
                    "--goal",
                    f"Cold start {n}",
                    "--campaign",
                    f"cmp-cold-{n}",
                    "--json",
                ],
                env,
            )
            for n in range(4)
        ]
        done = await asyncio.gather(*runs)
    for n, result in enumerate(done):
        assert result.code == 0, result.err[-2000:]
        summary = result.json()
        assert summary["campaign_id"] == f"cmp-cold-{n}"
        assert summary["state"] in {"paused", "done"}
        assert "duplicate key" not in result.err and "Traceback" not in result.err


async def test_ten_first_payments_from_one_new_wallet_all_execute(tmp_path: Path) -> None:
    """specs/faults.md §1.1, §1.3"""
    wallet_id = "wallet-cold-start"
    bodies = [
        {
            "tenant_id": "tenant-xyz",
            "agent_id": ETHIOPIA,
            "wallet_id": wallet_id,
            "network": "base",
            "asset": "USDC",
            "amount": "5.00",
            "to_address": recipient(),
            "purpose": "pay_for_video_generation",
            "campaign_id": "cmp-cold-pay",
            "budget_guard": {
                "max_per_tx": "50.00",
                "max_daily": "200.00",
                "max_campaign_total": "1000.00",
            },
            "metadata": {"task_id": f"task-cold-{n}", "external_invoice_id": f"inv-{n}"},
        }
        for n in range(10)
    ]
    with fresh_home(tmp_path / "h"):
        env = env_for(tmp_path / "h")
        done = await asyncio.gather(
            *(run_python(["-c", PAY, json.dumps(body)], env, 300) for body in bodies)
        )
    receipts = []
    for result in done:
        assert result.code == 0, result.err[-2000:]
        receipts.append(result.json())
    assert [r["status"] for r in receipts] == ["executed"] * 10, receipts
    assert len({r["tx_hash"] for r in receipts}) == 10, "a payment ran twice"
    balances = sorted(Decimal(r["post_balances"]["wallet_balance"]) for r in receipts)
    assert balances[0] == Decimal("950.00"), "the wallet was funded more than once (or not)"
