"""The perception graph served from langgraph.json runs one pass per invocation.

Proves specs/functional.md §7.4 and specs/technical.md §13.3 through the graph interface.
"""

from __future__ import annotations

import json

import pytest

from chimera.platform.settings import REPO_ROOT
from chimera.resources import Services
from chimera.runs.perception import InProcessRuns
from graphs.perception import build_perception_graph
from state.context import Context
from tests.conftest import ETHIOPIA


async def test_a_graph_pass_reports_the_windows_trends(svc: Services) -> None:
    """specs/functional.md §7.4"""
    graph = build_perception_graph(svc, InProcessRuns(svc)).compile()
    out = await graph.ainvoke(
        {"agent_id": ETHIOPIA, "now": "2026-02-06T10:00:00Z"},
        context=Context(relevance_threshold=1.0),
    )
    report = out["report"]
    assert len(report["detected"]) >= 1 and report["runs"] == {}


async def test_the_graph_refuses_invalid_input(svc: Services) -> None:
    """specs/technical.md §13.3"""
    graph = build_perception_graph(svc, InProcessRuns(svc)).compile()
    with pytest.raises(ValueError):
        await graph.ainvoke({"agent_id": ETHIOPIA, "now": "yesterday"})


def test_the_perception_graph_is_registered_for_the_server() -> None:
    """specs/technical.md §13.3"""
    graphs = json.loads((REPO_ROOT / "langgraph.json").read_text())["graphs"]
    assert graphs["perception"] == "./chimera/serving/graphs.py:make_perception_graph"
