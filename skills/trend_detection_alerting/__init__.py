"""Trend detection and alerting (CONTRACTS §5.1, §7): the Perception skill.

`execute_trend_detection` and `fetch_and_filter_trends` are the synchronous entry points: they
open the embedded default themselves (no configuration needed) and raise
`chimera.mcp.errors.McpCallError` subclasses when a configured server is unreachable, or
`TrendRequestError` on invalid input. The `a...` twins are what graph nodes and the perception
loop await.
"""

from __future__ import annotations

import asyncio
from typing import Any

from skills.trend_detection_alerting.request import TrendRequest, TrendRequestError
from skills.trend_detection_alerting.skill import (
    EmbeddingsArg,
    aexecute_trend_detection,
    afetch_and_filter_trends,
)

__all__ = [
    "TrendRequest",
    "TrendRequestError",
    "aexecute_trend_detection",
    "afetch_and_filter_trends",
    "execute_trend_detection",
    "fetch_and_filter_trends",
]


def execute_trend_detection(*, embeddings: EmbeddingsArg = True, **data: Any) -> dict[str, Any]:
    """Detect trends for an agent and return the §5.1 envelope (a plain dict).

    Args:
        embeddings: a langchain `Embeddings`, True for the bundled offline model, False for
            keyword clustering only.
        **data: the §5.1 input (`tenant_id`, `agent_id`, `window_hours`, `resources`,
            `min_cluster_score`, `max_trends`, `now`).

    Returns:
        `tenant_id`, `agent_id`, `window_hours`, `generated_at`, `trends` (may be empty) and
        `flagged` (untrusted items that tried to instruct the agent).

    Raises:
        TrendRequestError: invalid input or an unknown agent.
        chimera.mcp.errors.McpCallError: a resource's server is missing or unreachable.

    """
    return asyncio.run(aexecute_trend_detection(embeddings=embeddings, **data))


def fetch_and_filter_trends(*, embeddings: EmbeddingsArg = True, **data: Any) -> dict[str, Any]:
    """Detect trends and return the §7 flat alert (a plain dict).

    Returns:
        `trend_alert` (bool), `topics` (list[str]), `relevance_score` (a float in [0, 1];
        0.0 when nothing passes) and `alert_message`.

    Raises:
        TrendRequestError: invalid input or an unknown agent.
        chimera.mcp.errors.McpCallError: a resource's server is missing or unreachable.

    """
    return asyncio.run(afetch_and_filter_trends(embeddings=embeddings, **data))
