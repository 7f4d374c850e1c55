"""Wiring of the campaign swarm (ARCHITECTURE §2); behaviour lives in `nodes/`.

START -> load_context -> plan -> dispatch ==Send==> work -> judge -> commit | review -> dispatch
(payments: judge -> cfo -> commit | review | dispatch)
... -> report -> END. Each stage of a task is its own Send, so one task's interrupt or failure
never re-runs its siblings.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from chimera.resources import Services
from nodes.cfo import make_cfo
from nodes.commit import make_commit
from nodes.dispatch import dispatch
from nodes.judge import make_judge
from nodes.load_context import make_load_context
from nodes.plan import make_plan
from nodes.report import make_report
from nodes.review import make_review
from nodes.work import make_work
from state.context import Context
from state.graph import CampaignInput, CampaignOutput, CampaignState


def build_campaign_graph(svc: Services) -> StateGraph[Any, Any, Any, Any]:
    """The uncompiled campaign graph, its nodes bound to `svc`."""
    graph = StateGraph(
        CampaignState,
        context_schema=Context,
        input_schema=CampaignInput,
        output_schema=CampaignOutput,
    )
    graph.add_node("load_context", make_load_context(svc))
    graph.add_node("plan", make_plan(svc))
    graph.add_node("dispatch", dispatch, destinations=("work", "plan", "report"))
    graph.add_node("work", make_work(svc), destinations=("judge", "dispatch"))
    graph.add_node(
        "judge", make_judge(svc), destinations=("commit", "review", "dispatch", "cfo", "work")
    )
    graph.add_node("cfo", make_cfo(svc), destinations=("commit", "review", "dispatch"))
    graph.add_node("review", make_review(svc), destinations=("commit", "dispatch"))
    graph.add_node("commit", make_commit(svc), destinations=("dispatch",))
    graph.add_node("report", make_report(svc))
    graph.add_edge(START, "load_context")
    graph.add_edge("load_context", "plan")
    graph.add_edge("plan", "dispatch")
    graph.add_edge("report", END)
    return graph
