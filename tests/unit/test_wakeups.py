"""A polling perception loop runs one pass per burst of mention updates, else at the interval.

Proves specs/engagement.md §5.3 on the trigger alone (no services).
"""

from __future__ import annotations

from chimera.runs.wakeups import Wakeups


async def test_a_burst_of_updates_triggers_one_pass_and_then_the_interval_rules() -> None:
    """specs/engagement.md §5.3 (a perceiving agent answers at once)"""
    wakeups = Wakeups(interval_s=3600, debounce_s=0.01)
    for _ in range(5):
        wakeups.wake()
    assert await wakeups.next() == "notified"
    wakeups.interval_s = 0.01
    assert await wakeups.next() == "interval"  # the burst was taken by the one pass
