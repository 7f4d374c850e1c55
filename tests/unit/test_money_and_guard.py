"""Money parsing, the budget guard, payment planning and payment knobs, without services.

See specs/technical.md §11.3 (amounts), §11.7 (CFO caps) and specs/functional.md §9.1, §9.2.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from chimera.strategies.payments import payment_tasks
from skills.autonomous_transaction.guard import GuardError, effective_caps, spent, violation
from state.context import Context
from state.money import AmountError, fmt, parse_amount, to_units


@pytest.mark.parametrize(
    "bad", ["1e3", "-5", "+5", "25.0000001", " 5", "5 ", "1,5", "NaN", "inf", "", ".5", "5.", "01"]
)
def test_malformed_usdc_amounts_are_refused(bad: str) -> None:
    """specs/technical.md §11.3"""
    with pytest.raises(AmountError):
        parse_amount(bad, "USDC")


def test_amounts_parse_exactly_per_asset() -> None:
    """specs/technical.md §11.3"""
    assert to_units(parse_amount("25.00", "USDC"), "USDC") == 25_000_000
    assert to_units(parse_amount("0.000000000000000001", "ETH"), "ETH") == 1
    assert parse_amount("25.1000000", "USDC") == Decimal("25.1")  # trailing zeros are not digits
    assert fmt(Decimal("25")) == "25.00" and fmt(Decimal("0.000001")) == "0.000001"
    with pytest.raises(AmountError):
        parse_amount("0", "USDC")
    with pytest.raises(AmountError):
        parse_amount("1", "DOGE")
    with pytest.raises(AmountError):
        parse_amount(25, "USDC")


def test_effective_caps_take_the_stricter_and_fail_closed() -> None:
    """specs/technical.md §11.7"""
    stored = {
        "assets": {"USDC": {"max_per_tx": "40.00", "max_daily": "500", "max_campaign_total": "900"}}
    }
    caps = effective_caps(
        {"max_per_tx": "50", "max_daily": "200", "max_campaign_total": "1000"}, stored, "USDC"
    )
    assert caps == {
        "max_per_tx": Decimal(40),
        "max_daily": Decimal(200),
        "max_campaign_total": Decimal(900),
    }
    with pytest.raises(GuardError):
        effective_caps({"max_per_tx": "50"}, {"assets": {}}, "USDC")
    with pytest.raises(GuardError):
        effective_caps(
            {"max_per_tx": "5e1", "max_daily": "1", "max_campaign_total": "1"}, {}, "USDC"
        )
    with pytest.raises(GuardError):
        spent({"assets": {"USDC": {"spend_today": "oops", "spend_total": "1"}}}, "USDC")


def test_violation_names_the_first_cap_broken() -> None:
    """specs/functional.md §9.2"""
    caps = {
        "max_per_tx": Decimal(50),
        "max_daily": Decimal(200),
        "max_campaign_total": Decimal(1000),
    }
    assert violation(Decimal(25), caps, Decimal(175), Decimal(325), "cmp-1") is None
    daily = violation(Decimal(25), caps, Decimal(180), Decimal(325), "cmp-1")
    assert daily == "max_daily budget exceeded for campaign cmp-1 (205.00 > 200.00)"
    assert "max_per_tx" in str(violation(Decimal(51), caps, Decimal(0), Decimal(0), "cmp-1"))
    assert "max_campaign_total" in str(violation(Decimal(25), caps, Decimal(0), Decimal(990), "c"))


def test_hero_video_goal_plans_one_payment_only_with_a_vendor() -> None:
    """specs/functional.md §9.1"""
    from chimera.strategies.base import PlanRequest
    from tests.support.builders import persona

    vendor = "0x52908400098527886E0F7030069857D2E4169EE7"

    def request(goal: str, ctx: Context, attempt: int = 0) -> PlanRequest:
        return PlanRequest(
            goal=goal,
            persona=persona(),
            trends=[],
            mentions=[],
            context=ctx,
            rejections=[],
            attempt=attempt,
            redo=frozenset(),
        )

    with_vendor = Context(hero_video_vendor=vendor, hero_video_price="30.00")
    [task] = payment_tasks(request("Drop the summer line with a hero video", with_vendor))
    assert task.task_type == "execute_transaction"
    assert task.params["amount"] == "30.00" and task.params["to_address"] == vendor
    assert payment_tasks(request("Drop the summer line with a hero video", Context())) == []
    assert payment_tasks(request("Drop the summer line", with_vendor)) == []
    assert payment_tasks(request("a hero video", with_vendor, attempt=1)) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"max_per_tx": "1e3"},
        {"tx_review_threshold": "-1"},
        {"payment_allow_list": ("0x123",)},
        {"hero_video_vendor": "vendor"},
        {"hero_video_price": "0"},
    ],
)
def test_payment_knobs_are_validated(bad: dict[str, object]) -> None:
    """specs/technical.md §11.7"""
    with pytest.raises(ValueError):
        Context(**bad)  # type: ignore[arg-type]


def test_coinbase_is_an_extra_outside_the_default_and_dev_resolution() -> None:
    """specs/technical.md §11.9"""
    import tomllib

    from chimera.platform.settings import REPO_ROOT

    lock = tomllib.loads((REPO_ROOT / "uv.lock").read_text())
    assert lock["conflicts"] == [
        [{"package": "chimera", "extra": "coinbase"}, {"package": "chimera", "group": "dev"}]
    ]
    chimera = next(p for p in lock["package"] if p["name"] == "chimera")
    default = {d["name"] for d in chimera["dependencies"]}
    dev = {d["name"] for d in chimera["dev-dependencies"]["dev"]}
    assert "coinbase-agentkit" not in default | dev and "langgraph-api" in dev
    extra = {d["name"] for d in chimera["optional-dependencies"]["coinbase"]}
    assert extra == {"coinbase-agentkit", "solana"}
