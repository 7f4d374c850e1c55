"""Typed node contracts: each node's return type names exactly where it can go, and the graph
agrees (specs/technical.md §1.1), so Studio draws every edge a run can take.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

import pytest
from langgraph.types import Command

from chimera.resources import Services
from chimera.runs.perception import InProcessRuns
from graphs.campaign import build_campaign_graph
from graphs.perception import build_perception_graph

NODES = Path(__file__).resolve().parents[2] / "nodes"


def declared_destinations(func: Callable[..., Any]) -> set[str]:
    """Node names in a function's `Command[Literal[...]]` return type (empty: a plain update)."""
    hint = get_type_hints(func)["return"]
    if get_origin(hint) is not Command:
        return set()
    (literal,) = get_args(hint)
    assert get_origin(literal) is Literal, f"{func.__qualname__}: {hint} is not a Literal route"
    return set(get_args(literal))


def node_function(spec: Any) -> Callable[..., Any]:
    runnable = spec.runnable
    return runnable.afunc if getattr(runnable, "afunc", None) is not None else runnable.func


def routed_targets(func: Callable[..., Any]) -> set[str]:
    """Node names a function's body sends to: `Send("x", ...)` and `goto="x"`."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Send":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
        if (
            isinstance(node, ast.keyword)
            and node.arg == "goto"
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            found.add(node.value.value)
    return found


@pytest.mark.parametrize("which", ["campaign", "perception"])
def test_every_nodes_return_type_matches_its_graph_destinations(svc: Services, which: str) -> None:
    """specs/technical.md §1.1"""
    builder = (
        build_campaign_graph(svc)
        if which == "campaign"
        else build_perception_graph(svc, InProcessRuns(svc))
    )
    mismatched = {}
    for name, spec in builder.nodes.items():
        declared = declared_destinations(node_function(spec))
        graph_says = set(spec.ends or ())
        if declared != graph_says:
            mismatched[name] = (sorted(declared), sorted(graph_says))
    assert mismatched == {}


def test_the_judge_declares_the_occ_redraft_and_the_cfo(svc: Services) -> None:
    """specs/technical.md §1.1: the OCC re-draft edge (judge -> work) is drawn."""
    spec = build_campaign_graph(svc).nodes["judge"]
    assert {"work", "cfo"} <= declared_destinations(node_function(spec))
    assert {"work", "cfo"} <= set(spec.ends or ())


def _routing_functions() -> list[Callable[..., Any]]:
    found = []
    for path in sorted(NODES.glob("*.py")):
        module = importlib.import_module(f"nodes.{path.stem}")
        for _, func in inspect.getmembers(module, inspect.isfunction):
            if func.__module__ == module.__name__ and declared_destinations(func):
                found.append(func)
    return found


def test_no_node_function_routes_where_its_type_does_not_say(svc: Services) -> None:
    """specs/technical.md §1.1"""
    nodes = [node_function(spec) for spec in build_campaign_graph(svc).nodes.values()]
    functions = [*_routing_functions(), *(f for f in nodes if declared_destinations(f))]
    assert len(functions) >= 5, "the scan found the routing functions of nodes/"
    wrong = {
        f"{f.__module__}.{f.__qualname__}": sorted(routed_targets(f) - declared_destinations(f))
        for f in functions
        if routed_targets(f) - declared_destinations(f)
    }
    assert wrong == {}
