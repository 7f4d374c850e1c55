"""What crosses Temporal: the inputs and results of the fleet's workflows and activities.

Plain dataclasses of JSON values (Temporal's default converter), importable inside the workflow
sandbox: this module imports nothing but the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WORKFLOW_CAMPAIGN = "CampaignRun"
WORKFLOW_PERCEPTION = "PerceptionPass"
ACTIVITY_RUN = "run_campaign"
ACTIVITY_STATE = "campaign_state"
ACTIVITY_DECIDE = "decide_review"
ACTIVITY_PERCEIVE = "perceive_agent"


@dataclass
class CampaignRunInput:
    """One campaign run for one agent of one tenant."""

    tenant_id: str
    agent_id: str
    goal: str
    campaign_id: str
    context: dict[str, Any] = field(default_factory=dict)
    """`state.context.Context` fields (JSON values) for the run."""


@dataclass
class RunResult:
    """Where a campaign run stands after an activity drove it."""

    campaign_id: str
    thread_id: str
    state: str
    """`done`, `paused` (waiting for reviews), `refused` or `running`."""
    published: int = 0
    pending_reviews: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class ReviewDecisionInput:
    """A reviewer's decision sent to a running campaign workflow (an update)."""

    tenant_id: str
    review_id: str
    decision: dict[str, Any]
    """A `state.review.ReviewDecision` as JSON (`decision`, `text`, `reason`, `user_id`)."""


@dataclass
class PerceptionInput:
    """One perception pass for one agent (what a schedule starts)."""

    tenant_id: str
    agent_id: str
    now: str | None = None
    window_hours: int = 4


@dataclass
class PerceptionResult:
    """What a pass did: trends detected, campaign workflows started."""

    agent_id: str
    detected: int
    started: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
