"""Expected infrastructure failures: one `error:` line with a hint and a distinct exit code.

A lost database, an unreachable Redis or a dead MCP server is not a bug in Chimera: the operator
gets what failed and what to do, never a traceback, and scripts get a stable exit code (the
table is in README.md) and, with `--json`, the same as a JSON object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import redis.exceptions

from chimera.mcp.errors import ServerUnavailable, ToolTimeout, TransientToolError
from chimera.platform.db import DatabaseUnavailable, MigrationError
from chimera.platform.embedded import ServiceError

EXIT_SERVICES = 3
EXIT_DATABASE = 4
EXIT_REDIS = 5
EXIT_MCP = 6
EXIT_SIGINT = 130
EXIT_SIGTERM = 143
RESUME = "rerun the same command to resume from the last checkpoint"


@dataclass(frozen=True)
class Failure:
    """How one kind of infrastructure failure is reported."""

    code: int
    kind: str
    hint: str
    message: str = ""

    def line(self) -> str:
        """The one-line message (the reason, then the hint)."""
        return f"{self.message} (hint: {self.hint})"


_TABLE: tuple[tuple[tuple[type[BaseException], ...], Failure], ...] = (
    (
        (DatabaseUnavailable, psycopg.OperationalError),
        Failure(EXIT_DATABASE, "database_unavailable", f"check Postgres, then {RESUME}"),
    ),
    (
        (ServiceError, MigrationError),
        Failure(EXIT_SERVICES, "services_unavailable", "see `chimera services status`"),
    ),
    (
        (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError),
        Failure(EXIT_REDIS, "redis_unavailable", f"check Redis, then {RESUME}"),
    ),
    (
        (ServerUnavailable, ToolTimeout, TransientToolError),
        Failure(EXIT_MCP, "mcp_unavailable", f"the MCP server kept failing; {RESUME}"),
    ),
)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, the members of exception groups and the causes, depth first, each once."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(reversed(current.exceptions))
        stack.extend(e for e in (current.__context__, current.__cause__) if e is not None)


def classify(exc: BaseException) -> Failure | None:
    """The expected failure `exc` (or what it wraps) is, or None for a genuine bug."""
    for cause in _causes(exc):
        for kinds, failure in _TABLE:
            if isinstance(cause, kinds):
                text = str(cause).strip().splitlines()
                message = text[0] if text else type(cause).__name__
                return Failure(failure.code, failure.kind, failure.hint, message)
    return None
