"""Token usage of model calls, collected per node run for cost accounting.

Strategies keep their plain interfaces (a planner returns a `TaskDAG`, nothing else), so the
usage a call reports travels beside them: a node opens a `Meter` around its strategy call, every
model call made in that task adds its `usage_metadata` to it, and the node records the total.
A context variable is the carrier because parallel Send branches are separate asyncio tasks,
each with its own copy, so two branches never mix their counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Usage:
    """Tokens spent by one role's calls to one model."""

    role: str
    model: str
    prompt_version: str
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens


@dataclass
class Meter:
    """The usage of the model calls made while it is open, one entry per (role, model)."""

    entries: dict[tuple[str, str], Usage] = field(default_factory=dict)

    def add(self, role: str, model: str, prompt_version: str, metadata: Any) -> None:
        """Count one call; `metadata` is a message's `usage_metadata` (None counts the call)."""
        entry = self.entries.setdefault((role, model), Usage(role, model, prompt_version))
        entry.calls += 1
        if metadata:
            entry.input_tokens += int(metadata.get("input_tokens") or 0)
            entry.output_tokens += int(metadata.get("output_tokens") or 0)


_current: ContextVar[Meter | None] = ContextVar("chimera_usage_meter", default=None)


@contextmanager
def metered() -> Iterator[Meter]:
    """Collect the usage of the model calls made in this block (in this asyncio task)."""
    meter = Meter()
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


def record_call(role: str, model: str, prompt_version: str, metadata: Any) -> None:
    """Add a call to the open meter, if any (calls outside a node are not accounted)."""
    meter = _current.get()
    if meter is not None:
        meter.add(role, model, prompt_version, metadata)
