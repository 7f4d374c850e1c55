"""Waiting on state with a deadline, never on time: `eventually(check, deadline)`.

Tests wait for something another process or task does (a server marks posts published, a
killed process disappears). They poll the condition, not a clock, and fail with what they were
waiting for when the deadline passes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
POLL_S = 0.05


async def eventually(
    check: Callable[[], Awaitable[T]], deadline_s: float = 10.0, what: str = "the condition"
) -> T:
    """Await `check()` until it returns something truthy; return it, or fail at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while not (value := await check()):
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {deadline_s:g}s waiting for {what}")
        await asyncio.sleep(POLL_S)
    return value


def eventually_sync(
    check: Callable[[], T], deadline_s: float = 10.0, what: str = "the condition"
) -> T:
    """`eventually` for code outside an event loop (processes, sockets)."""
    deadline = time.monotonic() + deadline_s
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {deadline_s:g}s waiting for {what}")
        time.sleep(POLL_S)
    return value
