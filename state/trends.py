"""Trend contracts: the flat alert (CONTRACTS §2.6, §7) and the §5.1 trend-detection envelope."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from state.contract_base import Contract, Labels
from state.types import Id, ShortText, Text, UtcTimestamp


class FlatTrendAlert(Contract):
    """The flat alert of `fetch_and_filter_trends` (CONTRACTS §2.6, §7)."""

    trend_alert: bool
    topics: Annotated[list[ShortText], Field(max_length=50)]
    relevance_score: Annotated[float, Field(ge=0.0, le=1.0, strict=True)]
    alert_message: Text


class SupportingSample(Contract):
    """Evidence for a trend: where it was seen, an excerpt, when."""

    resource: Annotated[str, Field(max_length=300)]
    excerpt: Annotated[str, Field(max_length=1000)]
    timestamp: UtcTimestamp


class Trend(Contract):
    """One trend of the §5.1 skill output."""

    trend_id: Id
    topic: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=120)]
    score: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
    regions: Labels = []
    tags: Labels = []
    supporting_samples: Annotated[list[SupportingSample], Field(max_length=50)] = []


class FlaggedItem(Contract):
    """An untrusted item that tried to instruct the agent: reported, never acted on."""

    resource: Annotated[str, Field(max_length=300)]
    excerpt: Annotated[str, Field(max_length=1000)]
    timestamp: UtcTimestamp
    reason: ShortText


class TrendAlertEnvelope(Contract):
    """Output of `execute_trend_detection` (CONTRACTS §5.1): may hold no trends."""

    tenant_id: Id
    agent_id: Id
    window_hours: Annotated[int, Field(ge=1, le=24 * 30)]
    generated_at: UtcTimestamp
    trends: Annotated[list[Trend], Field(max_length=100)] = []
    flagged: Annotated[list[FlaggedItem], Field(max_length=50)] = []
    """Items in the window that tried to steer the agent (prompt injection), for the operator."""
