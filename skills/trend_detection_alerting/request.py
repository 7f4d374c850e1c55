"""The §5.1 input contract of the trend skill, validated at the skill's boundary."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from state.types import Id, UtcTimestamp, utc_now

ResourceUri = Annotated[
    str,
    Field(pattern=r"^(news|twitter|openclaw)://[a-z0-9][a-z0-9/_-]{1,200}$", max_length=220),
]
"""A news (`news://{region}/{topic}/trends`), mentions (`twitter://mentions/recent`) or network
inbox (`openclaw://inbox/signals`) URI."""
NETWORK_SIGNALS = "openclaw://inbox/signals"
"""Trend signals other agents shared with this one: one more perception source."""


class TrendRequestError(ValueError):
    """The skill was called with input it cannot act on (bad fields, unknown agent)."""


class TrendRequest(BaseModel):
    """Input of `execute_trend_detection` / `fetch_and_filter_trends` (CONTRACTS §5.1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: Id
    agent_id: Id
    window_hours: Annotated[int, Field(ge=1, le=24 * 30, strict=True)]
    resources: Annotated[list[ResourceUri], Field(min_length=1, max_length=20)]
    min_cluster_score: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)] = 0.75
    max_trends: Annotated[int, Field(ge=1, le=100, strict=True)] = 10
    now: UtcTimestamp = Field(default_factory=utc_now)
    """Window reference time; defaults to the current time (the time MCP is optional)."""


def server_of(uri: str) -> str:
    """The Chimera MCP server that serves a resource URI."""
    return {"news": "news", "twitter": "social", "openclaw": "openclaw"}[uri.split("://", 1)[0]]
