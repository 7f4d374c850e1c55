"""What may cross the network: validated, high-level shapes only (CONTRACTS §8).

Topics, tags, regions and content types are slugs, so no free text (posts, memories, ids of
posts) can ride inside them. A trend's `summary` and `source_resources` are accepted for
contract compatibility but never leave the sender: the router withholds them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]
AgentId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")]
WITHHELD = ("summary", "source_resources")
"""Trend fields that never leave the sending agent."""


class Trend(BaseModel):
    """`trend` of `share_trend_signal`."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(min_length=1, max_length=100)]
    topic: Slug
    confidence: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
    regions: Annotated[list[Slug], Field(max_length=10)] = []
    tags: Annotated[list[Slug], Field(max_length=20)] = []
    source_resources: Annotated[list[str], Field(max_length=20)] = []
    summary: Annotated[str, Field(max_length=2000)] = ""


class ValueExchange(BaseModel):
    """How a collaboration's value is shared."""

    model_config = ConfigDict(extra="forbid")

    revenue_split: Annotated[str, Field(pattern=r"^\d{1,3}-\d{1,3}$")]
    on_chain_tracking: bool


class Proposal(BaseModel):
    """`proposal` of `propose_collaboration` (and the counter-terms of a modification)."""

    model_config = ConfigDict(extra="forbid")

    campaign_idea: Annotated[str, Field(min_length=1, max_length=280)]
    content_types: Annotated[list[Slug], Field(min_length=1, max_length=10)]
    tentative_timeline: Annotated[str, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")]
    value_exchange: ValueExchange


class Wallet(BaseModel):
    """Wallet facts an agent may publish; the address is hashed before it is stored."""

    model_config = ConfigDict(extra="forbid")

    network: Slug
    address: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
    can_receive_tips: bool


class Availability(BaseModel):
    """What an agent publishes about itself (CONTRACTS §8, minus the server-set fields)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["online", "offline"]
    niche: Annotated[list[Slug], Field(max_length=20)] = []
    capabilities: Annotated[list[Slug], Field(max_length=20)] = []
    current_load: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
    preferred_collaborations: Annotated[list[Slug], Field(max_length=20)] = []
    wallet: Wallet | None = None


Decision = Literal["accept", "reject", "modify"]
