"""perceive: one perception pass for an agent (the perception graph's only node).

Detects trends, queues and decides alerts, and starts campaign runs for relevant ones
(`chimera.runs.perception`); the run's Context supplies the relevance threshold.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from chimera.resources import Services
from chimera.runs.perception import perceive_once
from state.context import Context, context_of
from state.perception import PerceptionInput


def make_perceive(svc: Services):  # type: ignore[no-untyped-def]
    """Build the node with its services."""

    async def perceive(state: PerceptionInput, runtime: Runtime[Context]) -> dict[str, Any]:
        """Run one pass and return its report."""
        request = PerceptionInput.model_validate(state) if isinstance(state, dict) else state
        report = await perceive_once(
            svc,
            request.agent_id,
            ctx=context_of(runtime),
            now=request.now,
            window_hours=request.window_hours,
            min_cluster_score=request.min_cluster_score,
        )
        return {"report": report.__dict__}

    return perceive
