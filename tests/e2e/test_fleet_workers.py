"""`chimera worker` processes on the real Temporal dev server: killed, stopped, replaced.

Proves specs/fleet.md §2.1 and §4 with real worker subprocesses: a campaign workflow whose worker
is killed (SIGKILL) or stopped (SIGTERM) mid-run finishes on another worker, and the sandbox
platform and the intents ledger show every side effect exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType, TimeoutType
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from chimera.fleet.client import connect, start_campaign, task_queue
from chimera.fleet.contracts import ACTIVITY_RUN, CampaignRunInput, ReviewDecisionInput, RunResult
from chimera.fleet.liveness import WORKER_SHUTDOWN
from chimera.platform.settings import REPO_ROOT, Settings
from chimera.platform.temporal import ensure_temporal, stop_temporal
from chimera.resources import Services
from state.inputs import RunRequest
from tests.conftest import ETHIOPIA, subprocess_env
from tests.support.platform import duplicate_intents, platform_posts
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow
TENANT = "tenant-xyz"


@pytest.fixture(scope="module")
def fleet_settings(settings: Settings) -> Settings:
    """The session's settings, headless, on task queues no other test polls."""
    prefix = f"chimera-e2e-{uuid.uuid4().hex[:6]}"
    return settings.model_copy(update={"temporal_ui": False, "temporal_task_queue": prefix})


@pytest.fixture(scope="module")
async def client(fleet_settings: Settings) -> AsyncIterator[Client]:
    """A client of the embedded dev server (started on first use, stopped after the module)."""
    await asyncio.to_thread(ensure_temporal, fleet_settings)
    yield await connect(fleet_settings)
    await asyncio.to_thread(stop_temporal, fleet_settings)


class Workers:
    """`python -m chimera worker` subprocesses, each in its own session, logs in files."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        self._settings = settings
        self._logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, **env: str) -> subprocess.Popen[bytes]:
        """Start one worker polling tenant-xyz's queue."""
        queue = task_queue(self._settings, TENANT)
        log = self._logs / f"worker-{len(self.procs) + 1}.log"
        extra = {"CHIMERA_TEMPORAL_TASK_QUEUE": self._settings.temporal_task_queue, **env}
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "chimera", "worker", "--task-queue", queue],
                cwd=REPO_ROOT,
                env=subprocess_env(self._settings, CHIMERA_TEMPORAL_UI="false", **extra),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.procs.append(proc)
        return proc

    def log(self, proc: subprocess.Popen[bytes]) -> str:
        """What a worker printed."""
        return (self._logs / f"worker-{self.procs.index(proc) + 1}.log").read_text()

    def stop_all(self) -> None:
        """Kill whatever is still running (a test's own stops come first)."""
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)


@pytest.fixture
def workers(fleet_settings: Settings, tmp_path: Path) -> Iterator[Workers]:
    """Worker subprocesses of one test, killed after it."""
    found = Workers(fleet_settings, tmp_path)
    yield found
    found.stop_all()


async def _paused(handle: WorkflowHandle[object, RunResult]) -> RunResult:
    async def check() -> RunResult | None:
        try:
            found: RunResult | None = await handle.query("status", result_type=RunResult)
        except RPCError:  # no worker has processed the workflow's task yet
            return None
        return found if found is not None and found.state == "paused" else None

    return await eventually(check, 240, "the campaign workflow to pause for its review")


async def _run_attempts(
    handle: WorkflowHandle[object, RunResult],
) -> list[tuple[int, str, str]]:
    """(attempt, worker identity, why the attempt before failed) of `run_campaign` starts."""
    scheduled: set[int] = set()
    found = []
    async for event in handle.fetch_history_events():
        kind = event.activity_task_scheduled_event_attributes.activity_type.name
        if kind == ACTIVITY_RUN and event.HasField("activity_task_scheduled_event_attributes"):
            scheduled.add(event.event_id)
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            if started.scheduled_event_id in scheduled:
                failed = started.last_failure
                why = failed.application_failure_info.type or TimeoutType.Name(
                    failed.timeout_failure_info.timeout_type
                )
                found.append((started.attempt, started.identity, why))
    return found


async def _start_mid_run(
    svc: Services, fleet_settings: Settings, client: Client, workers: Workers
) -> tuple[WorkflowHandle[object, RunResult], str, subprocess.Popen[bytes]]:
    """A campaign workflow on a slow first worker, once its first post is published."""
    first = workers.start(CHIMERA_SANDBOX_LATENCY_MS="3000")
    goal = f"Promote the new Ethiopian summer fashion line (fleet {uuid.uuid4().hex[:8]})."
    request = RunRequest(tenant_id=TENANT, agent_id=ETHIOPIA, goal=goal)
    campaign = request.campaign
    handle = await start_campaign(
        client, fleet_settings, CampaignRunInput(TENANT, ETHIOPIA, request.goal, campaign)
    )

    async def first_post() -> bool:
        assert first.poll() is None, f"worker 1 exited:\n{workers.log(first)[-3000:]}"
        return bool(await platform_posts(svc, TENANT, campaign))

    await eventually(first_post, 240, "worker 1's first post")
    return handle, campaign, first


async def _finishes_once_on(
    svc: Services,
    handle: WorkflowHandle[object, RunResult],
    campaign: str,
    second: subprocess.Popen[bytes],
    handed_over: str,
) -> None:
    """The run pauses on the second worker, one approval ends it, nothing happened twice."""
    paused = await _paused(handle)
    assert paused.published >= 1 and len(paused.pending_reviews) == 1
    attempts = await _run_attempts(handle)
    attempt, identity, why = attempts[-1]
    assert attempt >= 2 and why == handed_over, attempts  # the run was retried ...
    assert identity.startswith(f"{second.pid}@"), attempts  # ... by the second worker
    posts = await platform_posts(svc, TENANT, campaign)
    task_ids = [p["task_id"] for p in posts]
    assert len(task_ids) == len(set(task_ids)) == paused.published, posts

    approve = ReviewDecisionInput(TENANT, paused.pending_reviews[0], {"decision": "approve"})
    done = await handle.execute_update("decide", approve, result_type=RunResult)
    assert done.state == "done" and (await handle.result()).state == "done"
    after = await platform_posts(svc, TENANT, campaign)
    assert len(after) == len(posts) + 1  # the approved reply, once
    assert await duplicate_intents(svc, TENANT, campaign) == []


@pytest.mark.timeout(600)
async def test_a_worker_killed_mid_run_hands_the_run_to_another_worker_without_duplicates(
    svc: Services, fleet_settings: Settings, client: Client, workers: Workers
) -> None:
    """specs/fleet.md §2.1, §4.2"""
    handle, campaign, first = await _start_mid_run(svc, fleet_settings, client, workers)
    os.killpg(first.pid, signal.SIGKILL)
    assert await asyncio.to_thread(first.wait, 30) == -signal.SIGKILL
    second = workers.start()
    await _finishes_once_on(svc, handle, campaign, second, "TIMEOUT_TYPE_HEARTBEAT")


@pytest.mark.timeout(600)
async def test_a_worker_stopped_mid_run_hands_the_run_over_and_loses_nothing(
    svc: Services, fleet_settings: Settings, client: Client, workers: Workers
) -> None:
    """specs/fleet.md §2.1, §4.3"""
    handle, campaign, first = await _start_mid_run(svc, fleet_settings, client, workers)
    first.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(first.wait, 60)
    said = workers.log(first)
    assert code == 0, said[-3000:]
    assert "Traceback" not in said, said[-3000:]
    second = workers.start()
    await _finishes_once_on(svc, handle, campaign, second, WORKER_SHUTDOWN)
