"""Input and output of the perception graph (a trend watch pass for one agent)."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from state.types import Id, UtcTimestamp


class PerceptionInput(BaseModel):
    """Which agent to watch, and the window to look at."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agent_id: Id
    """Agent whose SOUL.md niche and mentions are watched."""
    now: UtcTimestamp | None = None
    """Window end; the current time when omitted."""
    window_hours: Annotated[int, Field(ge=1, le=720)] = 4
    """Length of the analysis window."""
    min_cluster_score: Annotated[float, Field(ge=0, le=1)] = 0.75
    """Score a topic needs to count as a trend."""


class PerceptionOutput(TypedDict, total=False):
    """What a pass returns."""

    report: dict[str, Any]
    """Detected alerts, flagged items, decisions and the runs started."""
