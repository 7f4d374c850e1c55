"""The fleet's workflows: a campaign run that survives workers, and a perception pass.

`CampaignRun` drives one campaign through the `run_campaign` activity, which runs the LangGraph
graph with the Postgres checkpointer: a worker that dies mid-run loses nothing, because Temporal
retries the activity on another worker and the graph resumes from its last checkpoint (intents
keep every side effect exactly-once). When the run pauses for reviews, the workflow waits: a
`decide` update applies a reviewer's decision through the same inbox as the CLI and the console
(exactly once: Temporal deduplicates updates by id and the inbox refuses decided reviews), and a
`reviews_changed` signal, or a periodic check, notices decisions taken elsewhere (Studio, Agent
Inbox, the console). Activities are named, not imported: the workflow sandbox loads only
`chimera.fleet.contracts`.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from chimera.fleet.contracts import (
        ACTIVITY_DECIDE,
        ACTIVITY_PERCEIVE,
        ACTIVITY_RUN,
        ACTIVITY_STATE,
        CampaignRunInput,
        PerceptionInput,
        PerceptionResult,
        ReviewDecisionInput,
        RunResult,
    )

RUN_TIMEOUT = timedelta(hours=2)
HEARTBEAT = timedelta(seconds=20)
"""A worker that stops heart-beating for this long is presumed dead; the run moves on."""
RECHECK = timedelta(minutes=5)
"""How often a paused run checks for decisions taken outside Temporal."""
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))


@workflow.defn(name="CampaignRun")
class CampaignRun:
    """One campaign run, to its end, across worker restarts and human pauses."""

    def __init__(self) -> None:
        self._poked = False
        self._result: RunResult | None = None

    @workflow.run
    async def run(self, request: CampaignRunInput) -> RunResult:
        """Drive the run; while it waits for reviews, wait for decisions."""
        result = await self._drive(ACTIVITY_RUN, request)
        while result.state == "paused":
            await workflow.wait_condition(lambda: self._poked, timeout=RECHECK)
            self._poked = False
            result = await self._drive(ACTIVITY_STATE, request)
        return result

    async def _drive(self, activity: str, request: CampaignRunInput) -> RunResult:
        self._result = await workflow.execute_activity(
            activity,
            request,
            result_type=RunResult,
            start_to_close_timeout=RUN_TIMEOUT,
            heartbeat_timeout=HEARTBEAT,
            retry_policy=RETRY,
        )
        return self._result

    @workflow.update
    async def decide(self, decision: ReviewDecisionInput) -> RunResult:
        """Apply a reviewer's decision to one of this run's reviews, then go on."""
        result = await workflow.execute_activity(
            ACTIVITY_DECIDE,
            decision,
            result_type=RunResult,
            start_to_close_timeout=RUN_TIMEOUT,
            heartbeat_timeout=HEARTBEAT,
            retry_policy=RetryPolicy(maximum_attempts=3),
        )
        self._poked = True
        return result

    @decide.validator
    def _check_decision(self, decision: ReviewDecisionInput) -> None:
        if decision.decision.get("decision") not in {"approve", "edit", "reject", "respond"}:
            raise ValueError("decision must be approve, edit, reject or respond")

    @workflow.signal
    def reviews_changed(self) -> None:
        """A review of this run was decided elsewhere: look again now."""
        self._poked = True

    @workflow.query
    def status(self) -> RunResult | None:
        """The last known state of the run."""
        return self._result


@workflow.defn(name="PerceptionPass")
class PerceptionPass:
    """One perception pass for one agent; relevant trends start `CampaignRun` workflows."""

    @workflow.run
    async def run(self, request: PerceptionInput) -> PerceptionResult:
        """Run the pass as one activity (it is idempotent by alert id)."""
        return await workflow.execute_activity(
            ACTIVITY_PERCEIVE,
            request,
            result_type=PerceptionResult,
            start_to_close_timeout=timedelta(minutes=10),
            heartbeat_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(maximum_attempts=3),
        )
