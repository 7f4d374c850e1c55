"""Typed failures of a social backend, on the wire as `[code] message` with a machine-readable tail.

The host maps each code to an exception (`chimera.mcp.errors`): `rate_limited` carries the time
the window resets (`retry_at=<ISO-8601 Z>`), so callers can defer instead of failing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from servers.runtime import Conflict, InvalidArgument, NotFound, ServerError, Transient

__all__ = [
    "Conflict",
    "DuplicateContent",
    "InvalidArgument",
    "InvalidMedia",
    "NotFound",
    "RateLimited",
    "Transient",
    "Unauthorized",
    "iso_z",
]


def iso_z(when: datetime) -> str:
    """ISO-8601 UTC with a `Z`, second precision."""
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Unauthorized(ServerError):
    """The platform refused the credentials (401/403 auth); retrying cannot help."""

    code = "unauthorized"


class RateLimited(ServerError):
    """The account's window (or monthly cap) is spent until `retry_at`."""

    code = "rate_limited"

    def __init__(self, message: str, retry_at: datetime) -> None:
        self.retry_at = retry_at.astimezone(UTC)
        super().__init__(f"{message} (retry_at={iso_z(self.retry_at)})")


class DuplicateContent(ServerError):
    """The platform refused a post as a duplicate that no matching idempotency key explains."""

    code = "duplicate"


class InvalidMedia(ServerError):
    """A media attachment was refused (unknown id, bad type, too large)."""

    code = "invalid_media"
