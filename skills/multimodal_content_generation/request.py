"""The §5.2 input contract of the multimodal skill, validated at its boundary."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from state.types import Id, ShortText


class ContentRequestError(ValueError):
    """Input the skill cannot act on (missing character reference, bad budget, unknown agent)."""


class Strict(BaseModel):
    """Closed shape: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CreativeBrief(Strict):
    """What the content must achieve."""

    goal: Annotated[str, Field(min_length=1, max_length=2000)]
    tone: Annotated[list[ShortText], Field(max_length=10)] = []
    key_messages: Annotated[list[ShortText], Field(max_length=10)] = []
    cta: Annotated[str, Field(max_length=300)] = ""


class StyleConstraints(Strict):
    """Persona limits for this content."""

    forbidden_topics: Annotated[list[ShortText], Field(max_length=50)] = []
    style_notes: Annotated[str, Field(max_length=1000)] = ""


class BudgetHint(Strict):
    """The most this content may cost to generate."""

    max_generation_cost_usd: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)]


class ContentRequest(Strict):
    """Input of `generate_multimodal_content` (CONTRACTS §5.2)."""

    tenant_id: Id
    agent_id: Id
    campaign_id: Id
    creative_brief: CreativeBrief
    persona_constraints: StyleConstraints = StyleConstraints()
    character_reference_id: Id
    """Locks the visual identity (FR 3.1); always required."""
    platform: Annotated[str, Field(pattern=r"^[a-z0-9_]{2,32}$")]
    tier: Literal["daily", "hero"] = "daily"
    budget_hint: BudgetHint


def parse_content_request(data: dict[str, object]) -> ContentRequest:
    """Validate §5.2 input.

    Raises:
        ContentRequestError: a missing (e.g. `character_reference_id`), unknown or invalid field.

    """
    try:
        return ContentRequest.model_validate(data)
    except ValidationError as exc:
        raise ContentRequestError(f"invalid content generation input: {exc}") from exc
