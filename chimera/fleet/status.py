"""What `chimera fleet status` reports: the engine, schedules, running workflows, queue backlog."""

from __future__ import annotations

from dataclasses import dataclass, field

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from chimera.fleet.contracts import WORKFLOW_CAMPAIGN, WORKFLOW_PERCEPTION


@dataclass
class FleetStatus:
    """A snapshot of the fleet."""

    address: str
    schedules: list[str] = field(default_factory=list)
    running: dict[str, int] = field(default_factory=dict)
    """Workflow type -> running executions."""
    pollers: dict[str, int] = field(default_factory=dict)
    """Task queue -> workers polling it for activities."""


async def fleet_status(client: Client, address: str, queues: list[str]) -> FleetStatus:
    """Schedules, running workflows per type and pollers per tenant queue."""
    status = FleetStatus(address=address)
    async for entry in await client.list_schedules():
        status.schedules.append(entry.id)
    for kind in (WORKFLOW_CAMPAIGN, WORKFLOW_PERCEPTION):
        query = f"WorkflowType = '{kind}' AND ExecutionStatus = 'Running'"
        status.running[kind] = (await client.count_workflows(query)).count
    for queue in queues:
        reply = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
            )
        )
        status.pollers[queue] = len(reply.pollers)
    status.schedules.sort()
    return status
