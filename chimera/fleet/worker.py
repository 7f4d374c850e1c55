"""`chimera worker`: one process of the fleet, polling every tenant's task queue.

Any number of worker processes, on any number of machines, share Postgres, Redis and Temporal.
Each process opens its `Services` once (pools, the MCP host and its servers) and runs one
Temporal `Worker` per tenant queue, each with its share of the process's activity slots, so a
flood of one tenant's work waits in that tenant's queue; an optional per-tenant rate caps each
queue's activity starts across the fleet. SIGTERM / SIGINT stop the pollers and hand running
activities over to another worker at once (`chimera.fleet.liveness`).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence

from temporalio.client import Client
from temporalio.worker import Worker

from chimera.control.personas import list_personas
from chimera.fleet.activities import FleetActivities
from chimera.fleet.client import connect, task_queue
from chimera.fleet.workflows import CampaignRun, PerceptionPass
from chimera.platform.settings import Settings
from chimera.resources import Services, open_services

log = logging.getLogger(__name__)


async def tenants_of(settings: Settings) -> list[str]:
    """Every tenant with a persona under `agents/`."""
    personas, _ = await asyncio.to_thread(list_personas, settings.agents_dir)
    return sorted({p.tenant_id for p in personas})


def build_workers(
    client: Client,
    svc: Services,
    queues: Sequence[str],
    concurrency: int,
    tenant_rate: float | None = None,
) -> list[Worker]:
    """One worker per queue, the process's `concurrency` activity slots shared between them.

    `tenant_rate` caps each queue's activity starts per second across the whole fleet (the
    server enforces it, whatever the number of workers).
    """
    activities = FleetActivities(svc, client).all()
    share = max(1, concurrency // max(1, len(queues)))
    return [
        Worker(
            client,
            task_queue=queue,
            workflows=[CampaignRun, PerceptionPass],
            activities=activities,
            max_concurrent_activities=share,
            max_concurrent_workflow_tasks=share,
            max_task_queue_activities_per_second=tenant_rate,
        )
        for queue in queues
    ]


async def run_worker(
    settings: Settings,
    *,
    concurrency: int = 4,
    queues: Sequence[str] = (),
    tenant_rate: float | None = None,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> None:
    """Poll until `stop` is set or (with `handle_signals`) the process gets SIGTERM / SIGINT."""
    stop = stop or asyncio.Event()
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    client = await connect(settings)
    queues = list(queues) or [task_queue(settings, t) for t in await tenants_of(settings)]
    async with open_services(settings) as svc:
        workers = build_workers(client, svc, queues, concurrency, tenant_rate)
        polling = [asyncio.create_task(w.run()) for w in workers]
        log.info("worker polling %s with %d activity slots", ", ".join(queues), concurrency)
        await stop.wait()
        await asyncio.gather(*(w.shutdown() for w in workers))
        await asyncio.gather(*polling, return_exceptions=True)
