"""dispatch: fan out one `Send("work")` per ready task, replan, or finish.

A task is ready when it is pending and every dependency is done; one whose dependency was
rejected, failed or skipped is skipped. At most `max_parallel_workers` tasks are in flight.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from langgraph.config import get_config
from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from state.context import Context, context_of
from state.contracts import Task
from state.graph import CampaignState, run_ref
from state.records import Envelope, Status, TaskStatus

_REPLAN_SUFFIX = re.compile(r"-r\d+$")
_PRIORITY = {"high": 0, "medium": 1, "low": 2}
_FAILED = {TaskStatus.REJECTED, TaskStatus.FAILED, TaskStatus.SKIPPED}
_IN_FLIGHT = {TaskStatus.DISPATCHED, TaskStatus.AWAITING_REVIEW}


def skip_blocked(tasks: dict[str, Task], status: dict[str, Status]) -> dict[str, Status]:
    """Pending tasks that can never run because a dependency did not succeed (transitively)."""
    current = dict(status)
    skipped: dict[str, Status] = {}
    changed = True
    while changed:
        changed = False
        for task_id, task in tasks.items():
            if current.get(task_id) != TaskStatus.PENDING:
                continue
            if any(current.get(dep) in _FAILED for dep in task.depends_on):
                current[task_id] = skipped[task_id] = TaskStatus.SKIPPED
                changed = True
    return skipped


def ready_tasks(tasks: dict[str, Task], status: dict[str, Status]) -> list[Task]:
    """Pending tasks whose dependencies are all done, highest priority first."""
    ready = [
        t
        for t in tasks.values()
        if status.get(t.task_id) == TaskStatus.PENDING
        and all(status.get(d) == TaskStatus.DONE for d in t.depends_on)
    ]
    return sorted(ready, key=lambda t: _PRIORITY[t.priority])  # stable: plan order breaks ties


def base_key(task: Task) -> str:
    """The plan key of a task without its replan suffix (`post-tiktok-r1` -> `post-tiktok`)."""
    return _REPLAN_SUFFIX.sub("", task.params.get("key", task.task_id))


def unresolved_rejections(state: CampaignState) -> set[str]:
    """Base keys of rejected posts that no later attempt has published."""
    tasks, status = state.get("tasks", {}), state.get("status", {})
    rejected = {
        base_key(t)
        for t in tasks.values()
        if status.get(t.task_id) == TaskStatus.REJECTED and t.task_type == "publish_post"
    }
    done = {base_key(t) for t in tasks.values() if status.get(t.task_id) == TaskStatus.DONE}
    return rejected - done


def needs_replan(state: CampaignState, ctx: Context) -> bool:
    """Rejected posts remain unanswered, no work is open, and the replan budget allows another."""
    if state.get("replans", 0) >= ctx.max_replans:
        return False
    status = state.get("status", {})
    open_work = any(s in _IN_FLIGHT or s == TaskStatus.PENDING for s in status.values())
    return bool(unresolved_rejections(state)) and not open_work


async def dispatch(
    state: CampaignState, runtime: Runtime[Context]
) -> Command[Literal["work", "plan", "report"]]:
    """Route the run: fan out ready work, replan after rejections, or report when all is done."""
    ctx = context_of(runtime)
    tasks, status = state.get("tasks", {}), dict(state.get("status", {}))
    skipped = skip_blocked(tasks, status)
    status.update(skipped)
    in_flight = sum(1 for s in status.values() if s in _IN_FLIGHT)
    ready = ready_tasks(tasks, status)[: max(0, ctx.max_parallel_workers - in_flight)]
    if ready:
        run = run_ref(state, str(get_config()["configurable"]["thread_id"]))
        memory = state.get("memory")
        sends = [
            Send("work", Envelope(run=run, task=t, persona=state["persona"], memory=memory))
            for t in ready
        ]
        update: dict[str, Any] = {
            "status": {**skipped, **{t.task_id: TaskStatus.DISPATCHED for t in ready}}
        }
        return Command(update=update, goto=sends)
    if in_flight:
        return Command(update={"status": skipped}, goto=[])
    if needs_replan({**state, "status": status}, ctx):
        return Command(update={"status": skipped}, goto="plan")
    return Command(update={"status": skipped}, goto="report")
