"""Validation of what starts a run (graph input) — the first boundary of the swarm."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from state.types import Id

MAX_GOAL_CHARS = 2000


class RunRequest(BaseModel):
    """A validated campaign input."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    tenant_id: Id
    agent_id: Id
    campaign_id: Id
    goal: Annotated[str, Field(min_length=1, max_length=MAX_GOAL_CHARS)]

    @field_validator("goal")
    @classmethod
    def _goal_has_words(cls, value: str) -> str:
        if not any(ch.isalnum() for ch in value):
            raise ValueError("goal must contain words")
        return value
