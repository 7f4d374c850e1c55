"""Strict money parsing: decimal strings to integer base units and back, per asset.

Shared by the wallet server, the transaction skill and the CFO node.

Amounts cross every boundary as decimal strings (`"25.00"`). Anything a float or a lenient
`Decimal()` would accept but a human did not mean (`1e3`, `-5`, `+5`, ` 5`, `25.0000001` for
6-decimal USDC, `NaN`) is refused here, before anything is reserved or signed.
"""

from __future__ import annotations

import re
from decimal import Decimal

DECIMALS: dict[str, int] = {"USDC": 6, "ETH": 18}
"""Assets the devnet moves and their on-chain decimals."""

_AMOUNT = re.compile(r"^(0|[1-9][0-9]{0,17})(?:\.([0-9]+))?$")


class AmountError(ValueError):
    """A malformed amount, an unknown asset or too many decimals."""


def decimals_of(asset: str) -> int:
    """On-chain decimals of `asset`.

    Raises:
        AmountError: the asset is not supported.

    """
    try:
        return DECIMALS[asset]
    except KeyError:
        raise AmountError(f"unsupported asset {asset!r}; supported: {sorted(DECIMALS)}") from None


def parse_amount(value: object, asset: str, *, allow_zero: bool = False) -> Decimal:
    """Parse a decimal string for `asset` into an exact `Decimal`.

    Raises:
        AmountError: not a plain decimal string, too many decimals, or zero when not allowed.

    """
    places = decimals_of(asset)
    if not isinstance(value, str):
        raise AmountError(f"amount must be a decimal string, got {type(value).__name__}")
    match = _AMOUNT.match(value)
    if match is None:
        raise AmountError(f"amount {value!r} is not a plain decimal string like '25.00'")
    fraction = match.group(2) or ""
    if len(fraction.rstrip("0")) > places:
        raise AmountError(f"amount {value!r} has more than {places} decimals for {asset}")
    number = Decimal(value)
    if number == 0 and not allow_zero:
        raise AmountError("amount must be greater than zero")
    return number


def to_units(amount: Decimal, asset: str) -> int:
    """Integer base units of an already parsed amount."""
    return int(amount.scaleb(decimals_of(asset)))


def from_units(units: int, asset: str) -> Decimal:
    """The decimal amount of `units` base units."""
    return Decimal(units).scaleb(-decimals_of(asset))


def fmt(amount: Decimal) -> str:
    """A decimal as a string with at least two decimals (`25` -> `"25.00"`), never an exponent."""
    text = format(amount.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"
