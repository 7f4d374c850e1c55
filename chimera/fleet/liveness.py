"""Liveness of a fleet activity: heart-beats while it works, a hand-over when its worker stops.

Temporal presumes a worker dead when an activity's heart-beats stop for the workflow's
`heartbeat_timeout` (`chimera.fleet.workflows.HEARTBEAT`) and retries the activity on another
worker. One graph step can last longer than that (a slow tool, a real model), so an activity
beats on a timer for as long as it runs, not only between steps: a live worker is never
presumed dead, a killed one (SIGKILL, a lost machine) is noticed within the timeout. A worker
that shuts down (SIGTERM) cancels its activities at once; `alive` turns that cancellation into a
retryable failure, so the run moves to another worker without waiting out the timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

BEAT_S = 2.0
"""Seconds between timer heart-beats (the SDK sends at most one per 80% of the timeout)."""
WORKER_SHUTDOWN = "WorkerShutdown"
"""Failure type of an activity its worker stopped: retried at once, elsewhere."""


async def _beat_every(every_s: float) -> None:
    while True:
        activity.heartbeat()
        await asyncio.sleep(every_s)


def _stopped_by_worker_shutdown() -> bool:
    details = activity.cancellation_details()
    return details is not None and details.worker_shutdown


@asynccontextmanager
async def alive(every_s: float = BEAT_S) -> AsyncIterator[None]:
    """Heart-beat every `every_s` while the body runs; a worker shutdown becomes a retry.

    Raises:
        ApplicationError: of type `WorkerShutdown` (retryable) when the worker stopped
            the activity; any other cancellation propagates unchanged.

    """
    beating = asyncio.create_task(_beat_every(every_s))
    try:
        yield
    except asyncio.CancelledError:
        if not _stopped_by_worker_shutdown():
            raise
        raise ApplicationError(
            "the worker shut down mid-activity; another worker continues it",
            type=WORKER_SHUTDOWN,
            category=ApplicationErrorCategory.BENIGN,  # expected: logged at debug, not as a failure
        ) from None
    finally:
        beating.cancel()
        with suppress(asyncio.CancelledError):
            await beating
