"""The shared Postgres saver runs checkpoint queries side by side.

Proves specs/technical.md §8 (the saver's lock is a semaphore of the pool's size).
"""

from __future__ import annotations

import asyncio

from chimera.platform.checkpoint import saver
from chimera.resources import Services


async def test_a_query_is_not_held_up_by_another_one_in_flight_on_the_same_saver(
    svc: Services,
) -> None:
    """specs/technical.md §8"""
    checkpointer = saver(svc.checkpoint_pool)
    holding, release = asyncio.Event(), asyncio.Event()

    async def slow_query() -> None:
        async with checkpointer._cursor() as cur:  # what every saver method does first
            await cur.execute("SELECT 1")
            holding.set()
            await release.wait()

    first = asyncio.create_task(slow_query())
    await asyncio.wait_for(holding.wait(), 10)
    try:
        found = await asyncio.wait_for(
            checkpointer.aget_tuple({"configurable": {"thread_id": "no-such-thread"}}), 10
        )
        assert found is None
    finally:
        release.set()
        await first
