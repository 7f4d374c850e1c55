"""The engagement vocabulary: what a mention is about and what the agent decided to do with it."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from state.records import Mention
from state.types import ShortText


class Intent(StrEnum):
    """What a mention asks or says (classified before any reply is written)."""

    PRODUCT_QUESTION = "product_question"
    """Sizes, availability, where to buy, price, shipping, materials."""
    COMPLIMENT = "compliment"
    COMPLAINT = "complaint"
    SENSITIVE = "sensitive"
    """Finance, health, legal... : a human answers."""
    FORBIDDEN = "forbidden"
    """A topic the persona never discusses (politics...)."""
    SPAM = "spam"
    INJECTION = "injection"
    """Text that tries to instruct the agent."""
    OTHER = "other"


Action = Literal["reply", "ignore", "escalate"]
Status = Literal["new", "replied", "ignored", "escalated"]
IgnoreReason = Literal["spam", "injection", "off-topic", "answered elsewhere"]
STATUS_OF: dict[str, Status] = {"reply": "replied", "ignore": "ignored", "escalate": "escalated"}


class IntentVerdict(BaseModel):
    """A classifier's answer for one mention."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intent: Intent
    confidence: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 1.0
    topic: Annotated[str, Field(max_length=200)] = ""
    """The product aspect asked about (sizes, where to buy...) or the sensitive topic."""


class Engagement(BaseModel):
    """One mention with its intent, the action taken and what grounds the answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mention: Mention
    intent: Intent
    action: Action
    reason: Annotated[str, Field(max_length=200)] = ""
    priority: float = 0.0
    facts: Annotated[list[Annotated[str, Field(max_length=1000)]], Field(max_length=10)] = []
    """Knowledge or memory facts the reply may use (empty: nothing may be claimed)."""
    topic: ShortText | None = None
