"""When a polling perception loop runs its next pass: on a mention update, or at the interval.

Updates arrive from a resource subscription (`chimera.signals.feeds.subscribe_mentions`) on the
session's receive loop, so waking only sets an event. Several updates within the debounce
window, or during a pass, are folded into one pass; without any, the interval still runs one
(the fallback when a subscription is lost or a backend only fetches mentions when read).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Literal

Reason = Literal["notified", "interval"]


@dataclass
class Wakeups:
    """The next pass's trigger: the first update (debounced) or the interval, whichever first."""

    interval_s: float
    """Longest wait between passes."""
    debounce_s: float = 1.0
    """How long a first update waits for the rest of its burst."""
    _woken: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    def wake(self) -> None:
        """Note an update (a subscription callback: never blocks)."""
        self._woken.set()

    async def next(self) -> Reason:
        """Wait until the next pass is due and say why; updates so far are all taken."""
        reason: Reason = "interval"
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), self.interval_s)
            reason = "notified"
            await asyncio.sleep(self.debounce_s)
        self._woken.clear()
        return reason
