"""Prices of LLM tokens, the cost breakdown per task and the agent-cap pre-check, without services.

See specs/economics.md §3.4, §3.5, §1.4.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from chimera.control.costs import CostLine, Costs, TokenLine
from chimera.platform.llm_prices import DEFAULT_LLM_PRICES, TokenPrice, find_price, price_table
from chimera.platform.settings import Settings
from skills.autonomous_transaction.guard import GuardError, agent_violation


def test_models_are_priced_by_name_provider_key_or_dated_snapshot_and_never_guessed() -> None:
    """specs/economics.md §3.4 (lookup)"""
    table = price_table(
        {"openai:my-tuned": TokenPrice(input_per_1k=Decimal("0.01"), output_per_1k=Decimal(0))}
    )
    mini = DEFAULT_LLM_PRICES["gpt-4o-mini"]
    assert find_price(table, "gpt-4o-mini") == mini
    assert find_price(table, "gpt-4o-mini-2024-07-18") == mini  # not gpt-4o's price
    assert find_price(table, "gpt-4o-2024-08-06") == DEFAULT_LLM_PRICES["gpt-4o"]
    assert find_price(table, "claude-3-5-haiku-20241022") == DEFAULT_LLM_PRICES["claude-3-5-haiku"]
    assert find_price(table, "my-tuned") == table["openai:my-tuned"]
    assert find_price(table, "openai:gpt-4.1") == DEFAULT_LLM_PRICES["gpt-4.1"]
    for unknown in ("replay-model-1", "gpt-4o-turbo-x", "claude-sonnet-4-9", "gpt-4"):
        assert find_price(table, unknown) is None, unknown


def test_cost_is_tokens_times_price_per_thousand_to_ten_decimals() -> None:
    """specs/economics.md §3.4 (the formula)"""
    price = DEFAULT_LLM_PRICES["gpt-4.1-mini"]  # 0.40 / 1.60 USD per 1M tokens
    assert price.cost(1000, 500) == Decimal("0.0012")
    assert price.cost(0, 0) == 0
    assert TokenPrice(input_per_1k=Decimal("0.003"), output_per_1k=Decimal(0)).cost(
        1, 0
    ) == Decimal("0.000003")


def test_the_price_setting_extends_and_overrides_the_built_in_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """specs/economics.md §3.4 (CHIMERA_LLM_PRICES)"""
    monkeypatch.setenv(
        "CHIMERA_LLM_PRICES",
        '{"gemma3:270m": {"input_per_1k": "0", "output_per_1k": "0"},'
        ' "gpt-4.1": {"input_per_1k": "0.001", "output_per_1k": "0.004"}}',
    )
    table = Settings(_env_file=None).llm_price_table()
    assert find_price(table, "gemma3:270m") == TokenPrice(
        input_per_1k=Decimal(0), output_per_1k=Decimal(0)
    )
    assert find_price(table, "gpt-4.1") == TokenPrice(
        input_per_1k=Decimal("0.001"), output_per_1k=Decimal("0.004")
    )
    assert find_price(table, "gpt-4o") == DEFAULT_LLM_PRICES["gpt-4o"]
    monkeypatch.setenv("CHIMERA_LLM_PRICES", '{"m": {"input_per_1k": "-1", "output_per_1k": "0"}}')
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        Settings(_env_file=None)


def test_costs_per_task_add_up_to_the_totals_and_unpriced_tokens_are_flagged() -> None:
    """specs/economics.md §3.4, §3.5"""
    tokens = [
        TokenLine("c1", "plan", "gpt-4.1", 1, 100, 50, Decimal("0.0006"), 1, 0),
        TokenLine("c1", "t1", "gpt-4.1", 2, 200, 80, Decimal("0.00104"), 2, 0),
        TokenLine("c1", "t1", "local-x", 1, 30, 10, Decimal(0), 1, 1),
    ]
    costs = Costs(
        [
            CostLine("payments", "c1", "t1", Decimal("25"), 1),
            CostLine("payments", "c1", None, Decimal("5"), 1),
            CostLine("media", None, None, Decimal("0.04"), 1),
            *(CostLine("llm", t.campaign_id, t.task_id, t.amount, t.rows) for t in tokens),
        ],
        tokens,
    )
    assert costs.by_kind() == {
        "total": "30.04164",
        "payments": "30.00",
        "media": "0.04",
        "llm": "0.00164",
    }
    tasks = costs.by_task()
    assert [(t["campaign_id"], t["task_id"]) for t in tasks] == [
        (None, None),
        ("c1", None),
        ("c1", "plan"),
        ("c1", "t1"),
    ]
    assert tasks[3]["costs"] == {
        "total": "25.00104",
        "payments": "25.00",
        "media": "0.00",
        "llm": "0.00104",
    }
    assert sum(Decimal(t["costs"]["total"]) for t in tasks) == costs.total()
    llm = costs.llm()
    assert (llm["input_tokens"], llm["output_tokens"], llm["calls"]) == (330, 140, 4)
    assert llm["unpriced_models"] == ["local-x"]
    assert costs.warnings() == [
        "no price for model local-x: 40 tokens counted at 0.00 USD (add it to CHIMERA_LLM_PRICES)"
    ]


def test_the_agent_precheck_names_the_cap_and_fails_closed() -> None:
    """specs/economics.md §1.4"""
    row = {
        "asset": "USDC",
        "max_daily": "75.00",
        "max_monthly": None,
        "spent_today": "70.00",
        "spent_month": "70.00",
    }
    assert agent_violation(Decimal("5"), [row], "USDC", "A") is None
    assert agent_violation(Decimal("10"), [row], "USDC", "A") == (
        "agent max_daily budget exceeded for agent A (80.00 > 75.00)"
    )
    monthly = {**row, "max_daily": None, "max_monthly": "72"}
    assert (
        agent_violation(Decimal("5"), [monthly], "USDC", "A")
        == "agent max_monthly budget exceeded for agent A (75.00 > 72.00)"
    )
    assert agent_violation(Decimal("10"), [row], "ETH", "A") is None  # no ETH caps
    assert agent_violation(Decimal("10"), [], "USDC", "A") is None
    with pytest.raises(GuardError):
        agent_violation(Decimal("1"), [{**row, "spent_today": "lots"}], "USDC", "A")
    with pytest.raises(GuardError):
        agent_violation(Decimal("1"), {"asset": "USDC"}, "USDC", "A")  # type: ignore[arg-type]
