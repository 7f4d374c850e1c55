"""One worker process of `python -m bench fleet`: the real `PerceptionPass`, a light pass body.

Runs Chimera's `PerceptionPass` workflow (its timeouts, retry policy and sandbox) with a stand-in
`perceive_agent` activity that does a pass's typical work without the services: the trend
skill's real pipeline (`make_item`, `detect`) over `--items` feed items (CPU), and `--io-ms` of
awaited I/O standing for the news/mentions reads and the alert writes. Started by the bench:
`python -m bench.fleet_worker --address A --queue Q [--concurrency 16] [--items 40] [--io-ms 50]`.
Stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import datetime
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker

from bench.trends import NOW, synthetic
from chimera.fleet.contracts import ACTIVITY_PERCEIVE, PerceptionInput, PerceptionResult
from chimera.fleet.workflows import PerceptionPass
from skills.trend_detection_alerting.detect import Window, detect
from skills.trend_detection_alerting.text import make_item


def pass_body(feed: list[dict[str, Any]], io_s: float) -> Any:
    """The stand-in `perceive_agent` activity over `feed`, awaiting `io_s` of I/O."""

    @activity.defn(name=ACTIVITY_PERCEIVE)
    async def perceive_agent(request: PerceptionInput) -> PerceptionResult:
        await asyncio.sleep(io_s / 2)  # reading the agent's resources
        items = [
            make_item(
                i["resource"],
                i["text"],
                datetime.fromisoformat(i["published"][:-1] + "+00:00"),
                i["tags"],
            )
            for i in feed
        ]
        found = await detect(
            items,
            window=Window(NOW, 4),
            ids=(request.tenant_id, request.agent_id),
            regions=["ethiopia"],
            sources=2,
            min_cluster_score=0.5,
            max_trends=10,
            embeddings=None,
        )
        await asyncio.sleep(io_s / 2)  # remembering the alerts
        return PerceptionResult(agent_id=request.agent_id, detected=len(found.trends))

    return perceive_agent


async def serve(address: str, queue: str, concurrency: int, items: int, io_ms: int) -> None:
    """Poll `queue` until SIGTERM, with `concurrency` activity and workflow-task slots."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    client = await Client.connect(address)
    worker = Worker(
        client,
        task_queue=queue,
        workflows=[PerceptionPass],
        activities=[pass_body(synthetic(items), io_ms / 1000)],
        max_concurrent_activities=concurrency,
        max_concurrent_workflow_tasks=concurrency,
    )
    polling = asyncio.create_task(worker.run())
    await stop.wait()
    await worker.shutdown()
    await asyncio.gather(polling, return_exceptions=True)


def main() -> None:
    """Parse the arguments and serve."""
    args = argparse.ArgumentParser(prog="python -m bench.fleet_worker")
    args.add_argument("--address", required=True)
    args.add_argument("--queue", required=True)
    args.add_argument("--concurrency", type=int, default=16)
    args.add_argument("--items", type=int, default=40)
    args.add_argument("--io-ms", type=int, default=50)
    ns = args.parse_args()
    asyncio.run(serve(ns.address, ns.queue, ns.concurrency, ns.items, ns.io_ms))


if __name__ == "__main__":
    main()
