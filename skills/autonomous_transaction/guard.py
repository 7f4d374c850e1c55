"""The budget guard: the caps a transaction must fit, read from the wallet server's resources.

Pure functions over the `campaign://{id}/budget`, `campaign://{id}/spend` and
`agent://{id}/budget` payloads, shared by the skill and the CFO node. Any doubt (missing field,
unparsable number) is a refusal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from state.money import AmountError, fmt, parse_amount

CAPS = ("max_per_tx", "max_daily", "max_campaign_total")


class GuardError(ValueError):
    """The budget or spend could not be read with certainty (fail closed)."""


def effective_caps(
    requested: dict[str, str], budget: dict[str, Any], asset: str
) -> dict[str, Decimal]:
    """The stricter of the requested caps and the stored campaign caps, per cap.

    Raises:
        GuardError: a cap is missing or malformed.

    """
    stored = (budget.get("assets") or {}).get(asset) or {}
    caps: dict[str, Decimal] = {}
    try:
        for name in CAPS:
            values = [
                parse_amount(v, asset, allow_zero=True)
                for v in (requested.get(name), stored.get(name))
                if v is not None
            ]
            if not values:
                raise GuardError(f"no {name} cap is configured")
            caps[name] = min(values)
    except AmountError as exc:
        raise GuardError(f"unreadable cap: {exc}") from exc
    return caps


def spent(spend: dict[str, Any], asset: str) -> tuple[Decimal, Decimal]:
    """(today, total) campaign spend of `asset`, holds included.

    Raises:
        GuardError: the spend payload is malformed.

    """
    mine = (spend.get("assets") or {}).get(asset)
    if mine is None:
        return Decimal(0), Decimal(0)
    try:
        return (
            parse_amount(mine["spend_today"], asset, allow_zero=True),
            parse_amount(mine["spend_total"], asset, allow_zero=True),
        )
    except (KeyError, AmountError) as exc:
        raise GuardError(f"unreadable spend: {exc}") from exc


def violation(
    amount: Decimal, caps: dict[str, Decimal], today: Decimal, total: Decimal, campaign_id: str
) -> str | None:
    """Why `amount` breaks a cap (§5.3 flow step 3), or None when it fits all three."""
    checks = (
        ("max_per_tx", amount),
        ("max_daily", today + amount),
        ("max_campaign_total", total + amount),
    )
    for name, value in checks:
        if value > caps[name]:
            return (
                f"{name} budget exceeded for campaign {campaign_id}"
                f" ({fmt(value)} > {fmt(caps[name])})"
            )
    return None


AGENT_CAPS = (("max_daily", "spent_today"), ("max_monthly", "spent_month"))


def agent_violation(
    amount: Decimal, budget: list[dict[str, Any]], asset: str, agent_id: str
) -> str | None:
    """Why `amount` would break one of the agent's caps over all its campaigns, or None.

    `budget` is the `agent://{agent_id}/budget` payload (one row per asset; no row for the
    asset: no agent cap). The reason reads like the wallet's own refusal, e.g. `agent max_daily
    budget exceeded for agent A (80.00 > 75.00)`.

    Raises:
        GuardError: the payload is malformed.

    """
    if not isinstance(budget, list):
        raise GuardError("unreadable agent budget: not a list of assets")
    row = next((r for r in budget if isinstance(r, dict) and r.get("asset") == asset), None)
    if row is None:
        return None
    try:
        for cap_name, spent_name in AGENT_CAPS:
            if row.get(cap_name) is None:
                continue
            cap = parse_amount(row[cap_name], asset, allow_zero=True)
            value = parse_amount(row[spent_name], asset, allow_zero=True) + amount
            if value > cap:
                over = f"({fmt(value)} > {fmt(cap)})"
                return f"agent {cap_name} budget exceeded for agent {agent_id} {over}"
    except (KeyError, AmountError) as exc:
        raise GuardError(f"unreadable agent budget: {exc}") from exc
    return None
