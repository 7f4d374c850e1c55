"""Validation of what starts a run (graph input) — the first boundary of the swarm."""

from __future__ import annotations

import hashlib
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from state.text import normalise
from state.types import Id

MAX_GOAL_CHARS = 2000


class RunRequest(BaseModel):
    """A validated campaign input."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    tenant_id: Id
    agent_id: Id
    campaign_id: Id | None = None
    """Defaults to a stable id derived from the agent and the goal."""
    goal: Annotated[str, Field(min_length=1, max_length=MAX_GOAL_CHARS)]

    @field_validator("goal")
    @classmethod
    def _goal_has_words(cls, value: str) -> str:
        # Operator text is sanitised like untrusted text: escapes, BEL, CR and bidi overrides
        # would otherwise be published verbatim (specs/security.md §4.4).
        value = normalise(value)
        if not any(ch.isalnum() for ch in value):
            raise ValueError("goal must contain words")
        return value

    @model_validator(mode="after")
    def _default_campaign(self) -> RunRequest:
        if self.campaign_id is None:
            object.__setattr__(self, "campaign_id", default_campaign_id(self.agent_id, self.goal))
        return self

    @property
    def campaign(self) -> str:
        """The campaign id (always set after validation)."""
        assert self.campaign_id is not None
        return self.campaign_id


def default_campaign_id(agent_id: str, goal: str) -> str:
    """A stable campaign id for an agent and goal."""
    return f"cmp-{agent_id}-{hashlib.sha256(goal.strip().encode()).hexdigest()[:8]}"[:128]
