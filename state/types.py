"""Constrained scalar types shared by every contract (CONTRACTS §2 common conventions).

Ids are short prefixed strings, timestamps ISO-8601 UTC strings ending in `Z`, money a decimal
held in a string. They are `Annotated` strings so payloads stay JSON-native in checkpoints.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"),
]
"""A readable identifier such as `tenant-xyz` or `task-3f2a9c`."""

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
"""A label or short sentence."""

Text = Annotated[str, StringConstraints(max_length=10_000)]
"""Free text with a hard upper bound."""


def _utc_z(value: str) -> str:
    if not value.endswith("Z"):
        raise ValueError("timestamp must be ISO-8601 UTC ending in 'Z'")
    try:
        datetime.fromisoformat(value[:-1] + "+00:00")
    except ValueError as exc:
        raise ValueError(f"not an ISO-8601 timestamp: {value!r}") from exc
    return value


UtcTimestamp = Annotated[str, StringConstraints(max_length=40), AfterValidator(_utc_z)]
"""ISO-8601 UTC timestamp string ending in `Z`, e.g. `2026-02-06T10:00:00Z`."""


def _decimal_string(value: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal string: {value!r}") from exc
    if not number.is_finite() or number < 0:
        raise ValueError(f"amount must be a finite non-negative decimal: {value!r}")
    return value


DecimalString = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{1,18}(\.[0-9]{1,18})?$"),
    AfterValidator(_decimal_string),
]
"""Money as a plain decimal string (`"25.00"`): no exponent, no sign, no float."""


def parse_utc(value: str) -> datetime:
    """Parse a validated `UtcTimestamp` string."""
    return datetime.fromisoformat(value[:-1] + "+00:00")


def utc_now() -> str:
    """Now as an ISO-8601 UTC string ending in `Z` (second precision)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def to_utc_z(moment: datetime) -> str:
    """Format an aware datetime as an ISO-8601 UTC string ending in `Z`."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
