"""Arguments of the side-effect tools `post_content` (CONTRACTS §2.4), `send_transaction` (§2.5)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from state.contract_base import Contract, Labels
from state.types import DecimalString, Id, ShortText, UtcTimestamp


class PostBody(Contract):
    """`content` of post_content."""

    text: Annotated[str, Field(min_length=1, max_length=5000)]
    media_ids: Annotated[list[Id], Field(max_length=10)] = []
    reply_to_id: Id | None = None


class Disclosure(Contract):
    """EU AI Act transparency fields."""

    ai_generated: bool
    sponsor: Annotated[str, Field(max_length=200)] | None = None
    compliance_tags: Labels = []


class Scheduling(Contract):
    """When to publish; `publish_at` is required for `scheduled`."""

    mode: Literal["scheduled", "immediate"]
    publish_at: UtcTimestamp | None = None

    @model_validator(mode="after")
    def _scheduled_needs_time(self) -> Scheduling:
        if self.mode == "scheduled" and self.publish_at is None:
            raise ValueError("scheduling.publish_at is required when mode is 'scheduled'")
        return self


class Tracking(Contract):
    """Correlation ids carried to the platform record."""

    campaign_id: Id | None = None
    task_id: Id | None = None
    source: ShortText = "chimera_orchestrator"


class PostContent(Contract):
    """Arguments of the MCP tool `post_content` (CONTRACTS §2.4)."""

    platform: Annotated[str, Field(pattern=r"^[a-z0-9_]{2,32}$")]
    tenant_id: Id
    agent_id: Id
    content: PostBody
    disclosure: Disclosure
    scheduling: Scheduling
    tracking: Tracking = Tracking()


class BudgetGuard(Contract):
    """Caps carried by `send_transaction`."""

    campaign_id: Id
    max_per_tx: DecimalString
    max_daily: DecimalString
    max_campaign_total: DecimalString | None = None
    """Decision 7: the skill's campaign-total cap, carried to the server when known."""


class TransactionRequest(Contract):
    """Arguments of the MCP tool `send_transaction` (CONTRACTS §2.5)."""

    tenant_id: Id
    agent_id: Id
    wallet_id: Id
    network: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,32}$")]
    asset: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,12}$")]
    amount: DecimalString
    to_address: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
    purpose: ShortText
    budget_guard: BudgetGuard
    metadata: dict[str, Any] = Field(default_factory=dict, max_length=20)
