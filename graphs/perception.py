"""Wiring of the perception graph (ARCHITECTURE §2): START -> perceive -> END.

Serves the trend watch from `langgraph.json` so Studio (or a cron on the LangGraph server) can run
a pass per agent; the behaviour lives in `nodes/perceive.py` and `chimera/runs/perception.py`.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from chimera.resources import Services
from nodes.perceive import make_perceive
from state.context import Context
from state.perception import PerceptionInput, PerceptionOutput


class PerceptionState(PerceptionOutput, total=False):
    """Input fields plus the report."""

    agent_id: str
    now: str | None
    window_hours: int
    min_cluster_score: float


def build_perception_graph(svc: Services) -> StateGraph[Any, Any, Any, Any]:
    """The uncompiled perception graph, its node bound to `svc`."""
    graph = StateGraph(
        PerceptionState,
        context_schema=Context,
        input_schema=PerceptionInput,
        output_schema=PerceptionOutput,
    )
    graph.add_node("perceive", make_perceive(svc))
    graph.add_edge(START, "perceive")
    graph.add_edge("perceive", END)
    return graph


async def make_perception_graph(config: RunnableConfig) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Factory named in langgraph.json: compiled WITHOUT a checkpointer (the server owns it)."""
    from chimera.serving.process import process_services

    return build_perception_graph(await process_services()).compile()
