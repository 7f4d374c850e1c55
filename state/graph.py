"""Graph state of the campaign swarm: input, state and output schemas with named reducers.

Parallel Send branches write to the dict-valued channels at once, so each has a pure, named
reducer that merges by key; the task-status reducer never moves a task back from a terminal state.
"""

from __future__ import annotations

from typing import Annotated, NotRequired, TypeVar

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from state.contracts import Artifact, Task
from state.memory import MemoryContext
from state.persona import Persona
from state.records import (
    TERMINAL,
    Mention,
    Published,
    Rejection,
    RunRef,
    RunReport,
    Status,
    TaskStatus,
    TrendSignal,
    Verdict,
)

V = TypeVar("V")


def merge_by_key(left: dict[str, V] | None, right: dict[str, V] | None) -> dict[str, V]:
    """Merge two keyed maps; the right (newer) value wins per key."""
    return {**(left or {}), **(right or {})}


def merge_status(
    left: dict[str, Status] | None, right: dict[str, Status] | None
) -> dict[str, Status]:
    """Merge task statuses; a terminal status is final unless the task is re-planned as pending.

    Re-planning resets a rejected task to `pending` explicitly; any other move away from a
    terminal status (a late duplicate write) is ignored.
    """
    merged = dict(left or {})
    for task_id, new in (right or {}).items():
        old = merged.get(task_id)
        if old is not None and old in TERMINAL and new != TaskStatus.PENDING:
            continue
        merged[task_id] = new
    return merged


def newest_version(left: int | None, right: int | None) -> int:
    """Keep the highest campaign version seen (parallel judges may each report a newer one)."""
    return max(left or 0, right or 0)


def append_rejections(
    left: list[Rejection] | None, right: list[Rejection] | None
) -> list[Rejection]:
    """Append rejections, dropping exact duplicates from re-executed nodes."""
    out = list(left or [])
    out.extend(r for r in (right or []) if r not in out)
    return out


# Attribute docstrings become field descriptions in the JSON schemas Studio renders as forms.
@with_config(ConfigDict(use_attribute_docstrings=True))
class CampaignInput(TypedDict):
    """What starts a run: who, for which campaign, towards which goal."""

    tenant_id: str
    """Tenant that owns the agent and everything the run writes."""
    agent_id: str
    """Agent whose SOUL.md persona acts."""
    campaign_id: NotRequired[str]
    """Campaign the run belongs to (created on first run; derived from agent+goal if omitted)."""
    goal: str
    """The campaign goal in plain words (1-2000 characters)."""


@with_config(ConfigDict(use_attribute_docstrings=True))
class CampaignOutput(TypedDict, total=False):
    """What a finished run returns."""

    report: RunReport
    """Summary of tasks, verdicts, published posts, pending reviews and rejections."""


@with_config(ConfigDict(use_attribute_docstrings=True))
class CampaignState(CampaignInput, total=False):
    """Everything the swarm shares across nodes."""

    persona: Persona
    """The persona loaded from SOUL.md."""
    state_version: Annotated[int, newest_version]
    """Campaign version read at load time (raised by the judge's OCC check): workers' token."""
    trends: list[TrendSignal]
    """Rising keywords from the persona's news resources."""
    mentions: list[Mention]
    """Recent mentions to consider for replies."""
    success_criteria: list[str]
    """What the judge checks the goal against."""
    memory: MemoryContext
    """Recent episodes and top-k memories (the context the worker and the judge both see)."""
    tasks: Annotated[dict[str, Task], merge_by_key]
    """The current plan's tasks by id."""
    status: Annotated[dict[str, Status], merge_status]
    """Lifecycle status per task id."""
    artifacts: Annotated[dict[str, Artifact], merge_by_key]
    """Latest artifact per task id."""
    verdicts: Annotated[dict[str, Verdict], merge_by_key]
    """Latest judge verdict per task id."""
    published: Annotated[dict[str, Published], merge_by_key]
    """Side-effect results per task id."""
    rejections: Annotated[list[Rejection], append_rejections]
    """Why tasks were rejected (fed to replanning)."""
    replans: int
    """How many times the plan was rebuilt."""
    refused: str
    """Why the plan was refused as a whole (set only then; the run then plans nothing)."""
    report: RunReport
    """The final summary."""


def run_ref(state: CampaignState, thread_id: str) -> RunRef:
    """The run's correlation ids (and OCC version) as one record."""
    return RunRef(
        tenant_id=state["tenant_id"],
        agent_id=state["agent_id"],
        campaign_id=state["campaign_id"],
        thread_id=thread_id,
        state_version=state.get("state_version", 0),
    )
