"""Wiring of the perception graph (ARCHITECTURE §2): START -> perceive -> END.

Serves the trend watch from `langgraph.json` so Studio (or a cron on the LangGraph server) can run
a pass per agent; the behaviour lives in `nodes/perceive.py` and
`skills/trend_detection_alerting/alerting.py`; the server factory is in `chimera/serving/graphs.py`.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from chimera.resources import Services
from nodes.perceive import make_perceive
from skills.trend_detection_alerting.alerting import RunControl
from state.context import Context
from state.perception import PerceptionInput, PerceptionOutput


class PerceptionState(PerceptionOutput, total=False):
    """Input fields plus the report."""

    agent_id: str
    now: str | None
    window_hours: int
    min_cluster_score: float


def build_perception_graph(svc: Services, runs: RunControl) -> StateGraph[Any, Any, Any, Any]:
    """The uncompiled perception graph, its node bound to `svc` and to how it starts runs."""
    graph = StateGraph(
        PerceptionState,
        context_schema=Context,
        input_schema=PerceptionInput,
        output_schema=PerceptionOutput,
    )
    graph.add_node("perceive", make_perceive(svc, runs))
    graph.add_edge(START, "perceive")
    graph.add_edge("perceive", END)
    return graph
