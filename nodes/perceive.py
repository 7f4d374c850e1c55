"""perceive: one perception pass for an agent (the perception graph's only node).

Detects trends, queues and decides alerts, and starts campaign runs for relevant ones through
the injected `RunControl` (`skills.trend_detection_alerting.alerting`); the run's Context
supplies the relevance threshold.
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from chimera.resources import Services
from nodes.contracts import Node
from skills.trend_detection_alerting.alerting import PassOptions, RunControl, perceive
from state.context import Context, context_of
from state.perception import PerceptionInput, PerceptionOutput


def make_perceive(svc: Services, runs: RunControl) -> Node[PerceptionInput, PerceptionOutput]:
    """Build the node with its services and the way it starts runs."""

    async def perceive_node(state: PerceptionInput, runtime: Runtime[Context]) -> PerceptionOutput:
        """Run one pass and return its report."""
        request = PerceptionInput.model_validate(state) if isinstance(state, dict) else state
        ctx = context_of(runtime)
        report = await perceive(
            svc,
            request.agent_id,
            start_run=runs.starter(ctx),
            start_engagement=runs.engager(ctx),
            expire_reviews=runs.expire_reviews,
            ctx=ctx,
            options=PassOptions(
                now=request.now,
                window_hours=request.window_hours,
                min_cluster_score=request.min_cluster_score,
            ),
        )
        return {"report": report.__dict__}

    return perceive_node
