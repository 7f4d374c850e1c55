"""Policy as configuration: per-tenant files and per-campaign overrides, merged without code edits.

A tenant's policy lives in `policies/<tenant_id>.toml` (version-controlled, like SOUL.md); a
campaign's overrides live in its `config` column and change through `chimera campaign update`.
Both use one schema, `PolicyOverrides`. The effective policy of a judgement is, from weakest to
strongest: the run's `Context` and the persona, then the tenant file, then the campaign. Topic
lists only grow (a campaign can forbid more, never less than its tenant); thresholds, disclosure
and review settings are replaced by the strongest layer that sets them.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from state.context import Context
from state.persona import DisclosurePolicy, Persona
from state.types import ShortText

Topics = Annotated[list[ShortText], Field(max_length=60)]
Threshold = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
ReviewDefault = Literal["approve", "reject"]
MediaBudget = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]


ENGAGEMENT_FIELDS = ("max_replies", "max_replies_per_hour", "complaint_action", "unanswered_action")
"""Engagement settings a policy layer may set over the run's Context."""


class PolicyError(ValueError):
    """A policy file or override does not validate."""


class PolicyOverrides(BaseModel):
    """Operator-set policy; every field is optional and unset fields inherit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    forbidden_topics: Topics = []
    sensitive_topics: Topics = []
    approve_threshold: Threshold | None = None
    review_threshold: Threshold | None = None
    review_ttl_minutes: Annotated[int, Field(ge=1, le=60 * 24 * 30)] | None = None
    review_default_action: ReviewDefault | None = None
    ai_disclosure: bool | None = None
    disclosure_label: ShortText | None = None
    max_replies: Annotated[int, Field(ge=0, le=1000)] | None = None
    max_replies_per_hour: Annotated[int, Field(ge=0, le=10_000)] | None = None
    complaint_action: Literal["escalate", "reply"] | None = None
    unanswered_action: Literal["defer", "escalate"] | None = None
    sponsor: ShortText | None = None
    """A sponsored campaign's sponsor: its posts carry the paid-partnership disclosure."""
    media_budget_usd: MediaBudget | None = None
    """Cap on the campaign's media generation spend (reserved before each render)."""

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> PolicyOverrides:
        a, r = self.approve_threshold, self.review_threshold
        if a is not None and r is not None and r > a:
            raise ValueError("review_threshold must not exceed approve_threshold")
        return self

    def over(self, weaker: PolicyOverrides) -> PolicyOverrides:
        """Merge this layer over a weaker one (topic lists become unions)."""
        merged: dict[str, Any] = weaker.model_dump()
        for name, value in self.model_dump(exclude_unset=True).items():
            if name.endswith("_topics"):
                merged[name] = list(dict.fromkeys([*merged[name], *value]))
            elif value is not None:
                merged[name] = value
        return PolicyOverrides.model_validate(merged)


def parse_overrides(data: dict[str, Any], source: str) -> PolicyOverrides:
    """Validate a mapping of overrides, naming its source in the error."""
    try:
        return PolicyOverrides.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "policy"
        raise PolicyError(f"{source}: {where}: {first['msg']}") from exc


def campaign_overrides(config: dict[str, Any]) -> PolicyOverrides:
    """The policy part of a campaign's `config` column (other keys, e.g. success_criteria, kept)."""
    policy = config.get("policy", {})
    return parse_overrides(policy if isinstance(policy, dict) else {}, "campaign config")


def load_tenant_policy(policies_dir: Path, tenant_id: str) -> PolicyOverrides:
    """Blocking: read `policies/<tenant_id>.toml`, or no overrides when there is none.

    Raises:
        PolicyError: the file is not valid TOML or does not match the schema.

    """
    path = policies_dir / f"{tenant_id}.toml"
    if not path.is_file():
        return PolicyOverrides()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path.name}: {exc}") from exc
    return parse_overrides(data, path.name)


def effective_context(ctx: Context, policy: PolicyOverrides) -> Context:
    """The run's Context with the policy's thresholds and review settings applied."""
    changes: dict[str, Any] = {
        name: getattr(policy, name)
        for name in (
            "approve_threshold",
            "review_threshold",
            "review_ttl_minutes",
            *ENGAGEMENT_FIELDS,
        )
        if getattr(policy, name) is not None
    }
    try:
        return dataclasses.replace(ctx, **changes)
    except ValueError as exc:  # e.g. a campaign review threshold above the run's approve one
        raise PolicyError(f"policy conflicts with the run's settings: {exc}") from exc


def effective_persona(persona: Persona, policy: PolicyOverrides) -> Persona:
    """The persona with the policy's topics and disclosure rules applied."""
    ai = policy.ai_disclosure
    disclosure = DisclosurePolicy(
        ai_generated=persona.disclosure.ai_generated if ai is None else ai,
        label=policy.disclosure_label or persona.disclosure.label,
        sponsor=policy.sponsor or persona.disclosure.sponsor,
    )
    return persona.model_copy(
        update={
            "forbidden_topics": list(
                dict.fromkeys([*persona.forbidden_topics, *policy.forbidden_topics])
            ),
            "sensitive_topics": list(
                dict.fromkeys([*persona.sensitive_topics, *policy.sensitive_topics])
            ),
            "disclosure": disclosure,
        }
    )
