"""Schedules of the fleet: one perception schedule per agent, on Temporal, not a home-made cron.

`ensure_perception_schedules` creates or updates `perceive:<tenant>:<agent>` for every agent;
each fires a `PerceptionPass` workflow on the agent's tenant queue every `every_s` seconds. A
pass still running when the next one is due is skipped (overlap policy), never doubled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from chimera.fleet.client import task_queue
from chimera.fleet.contracts import WORKFLOW_PERCEPTION, PerceptionInput
from chimera.platform.settings import Settings


@dataclass(frozen=True)
class AgentRef:
    """An agent a schedule is for."""

    tenant_id: str
    agent_id: str


def schedule_id(agent: AgentRef) -> str:
    """The id of an agent's perception schedule."""
    return f"perceive:{agent.tenant_id}:{agent.agent_id}"


def perception_schedule(settings: Settings, agent: AgentRef, every_s: int) -> Schedule:
    """The schedule of one agent's perception passes."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            WORKFLOW_PERCEPTION,
            PerceptionInput(tenant_id=agent.tenant_id, agent_id=agent.agent_id),
            id=f"perception:{agent.tenant_id}:{agent.agent_id}",
            task_queue=task_queue(settings, agent.tenant_id),
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(seconds=every_s))]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def ensure_perception_schedules(
    client: Client, settings: Settings, agents: list[AgentRef], every_s: int
) -> list[str]:
    """Create or update every agent's schedule; return their ids."""
    if every_s < 1:
        raise ValueError("the interval must be at least 1 second")
    ids = []
    for agent in agents:
        wanted = perception_schedule(settings, agent, every_s)
        try:
            await client.create_schedule(schedule_id(agent), wanted)
        except ScheduleAlreadyRunningError:

            def replace(_: ScheduleUpdateInput, wanted: Schedule = wanted) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=wanted)

            await client.get_schedule_handle(schedule_id(agent)).update(replace)
        ids.append(schedule_id(agent))
    return ids
