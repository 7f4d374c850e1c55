"""Shared scalar types: timestamps, money, ids (specs/technical.md §2.1)."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from state.types import DecimalString, Id, UtcTimestamp

TIMESTAMP: TypeAdapter[str] = TypeAdapter(UtcTimestamp)
MONEY: TypeAdapter[str] = TypeAdapter(DecimalString)
ID: TypeAdapter[str] = TypeAdapter(Id)


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-06T10:00:00",
        "2026-02-06 10:00:00",
        "garbage",
        "garbageZ",
        "",
        "Z",
        "2026-13-01T00:00:00Z",
        "2026-02-30T10:00:00Z",
        "2026-02-06T10:00:00+00:00Z",
    ],
)
def test_utc_timestamp_rejects_naive_and_garbage_values(value: str) -> None:
    """specs/technical.md §2.1 (Timestamps: ISO-8601 UTC ending in Z; naive rejected)"""
    with pytest.raises(ValidationError):
        TIMESTAMP.validate_python(value)


@pytest.mark.parametrize("value", ["2026-02-06T10:00:00Z", "2026-02-06T10:00:00.250Z"])
def test_utc_timestamp_accepts_iso_8601_z_values(value: str) -> None:
    """specs/technical.md §2.1 (Timestamps)"""
    assert TIMESTAMP.validate_python(value) == value


@pytest.mark.parametrize(
    "value", ["1e3", "-5", "NaN", "Infinity", "", " 25.00", "25.", ".5", "1,000.00", "+5", "0x10"]
)
def test_decimal_string_rejects_exponents_signs_and_non_numbers(value: str) -> None:
    """specs/technical.md §2.1 (Money is a non-negative decimal string)"""
    with pytest.raises(ValidationError):
        MONEY.validate_python(value)


@pytest.mark.parametrize("value", ["25.00", "0", "1000.00", "0.000001"])
def test_decimal_string_accepts_plain_non_negative_decimals(value: str) -> None:
    """specs/technical.md §2.1 (Money, e.g. "25.00")"""
    assert MONEY.validate_python(value) == value


def test_decimal_string_rejects_floats() -> None:
    """specs/technical.md §2.1 (Money ... never float)"""
    with pytest.raises(ValidationError):
        MONEY.validate_python(25.0)


@pytest.mark.parametrize("value", ["٢٥.٠٠", "２５"], ids=["arabic-indic", "fullwidth"])
def test_decimal_string_rejects_non_ascii_digits(value: str) -> None:
    """specs/technical.md §2.1 (Money is a decimal string such as "25.00")"""
    with pytest.raises(ValidationError):
        MONEY.validate_python(value)


@pytest.mark.parametrize("value", ["tenant-xyz", "agent-ethiopia-fashion-001", "uuid-1234", "a"])
def test_ids_accept_readable_prefixed_values(value: str) -> None:
    """specs/technical.md §2.1 (Ids)"""
    assert ID.validate_python(value) == value


@pytest.mark.parametrize("value", ["tenant:xyz", "tenant/xyz", "tenant@xyz"])
def test_ids_outside_the_spec_pattern_are_rejected(value: str) -> None:
    """specs/technical.md §2.1 (Ids contain no `:`), §3.3"""
    with pytest.raises(ValidationError):
        ID.validate_python(value)
