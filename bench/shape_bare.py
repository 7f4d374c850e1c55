"""Bare LangGraph in the campaign graph's exact shape, for the checkpoint and concurrency benches.

The W1 bare graph (`bench.fanout_bare`) skips `load_context`, the second `dispatch` and
`report`; with a checkpointer every superstep is a checkpoint write, so here the bare side has
the same supersteps as ours: load_context -> plan -> dispatch -Send-> work -Send-> judge
-Send-> commit -> dispatch -> report. State is a TypedDict of plain dicts with one dict-merge
reducer; packets carry the same data as ours as JSON dicts; the saver uses the default serde.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, TypedDict

from langgraph.config import get_config
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, Send

from bench.fanout_bare import bare_commit, bare_judge, bare_work, merge, plain_payloads
from bench.fanout_shared import CRITERIA, task_id


class ShapeState(TypedDict, total=False):
    """The bare campaign state: inputs, context fields and dict channels merged by key."""

    tenant_id: str
    agent_id: str
    campaign_id: str
    goal: str
    n: int
    persona: dict[str, Any]
    state_version: int
    success_criteria: list[str]
    replans: int
    tasks: Annotated[dict[str, Any], merge]
    status: Annotated[dict[str, Any], merge]
    artifacts: Annotated[dict[str, Any], merge]
    verdicts: Annotated[dict[str, Any], merge]
    published: Annotated[dict[str, Any], merge]
    report: dict[str, Any]


async def load_context(state: ShapeState) -> dict[str, Any]:
    """The persona as a dict, the version and the criteria."""
    _, who = plain_payloads()
    return {"persona": who, "state_version": 0, "success_criteria": CRITERIA, "replans": 0}


async def plan(state: ShapeState) -> dict[str, Any]:
    """N task dicts, all pending."""
    template, _ = plain_payloads()
    tasks = {task_id(i): {**template, "task_id": task_id(i)} for i in range(state["n"])}
    return {"tasks": tasks, "status": dict.fromkeys(tasks, "pending")}


async def dispatch(state: ShapeState) -> Command[Literal["work", "report"]]:
    """Send every pending task to work, wait while any is in flight, else report."""
    status = state.get("status", {})
    ready = [t for tid, t in state.get("tasks", {}).items() if status.get(tid) == "pending"]
    if ready:
        thread_id = str(get_config()["configurable"]["thread_id"])
        run: dict[str, Any] = {"tenant_id": state["tenant_id"], "thread_id": thread_id}
        run |= {"campaign_id": state["campaign_id"], "state_version": state.get("state_version", 0)}
        sends = [Send("work", {"run": run, "task": t, "persona": state["persona"]}) for t in ready]
        return Command(update={"status": {t["task_id"]: "dispatched" for t in ready}}, goto=sends)
    if any(s == "dispatched" for s in status.values()):
        return Command(goto=[])
    return Command(goto="report")


async def commit(packet: dict[str, Any]) -> Command[Literal["dispatch"]]:
    """Record a published dict and go back to dispatch."""
    out = await bare_commit(packet)
    return Command(update=out.update, goto="dispatch")


async def report(state: ShapeState) -> dict[str, Any]:
    """Summarise."""
    done = sum(1 for s in state["status"].values() if s == "done")
    return {"report": {"done": done, "published": list(state["published"].values())}}


Node = Callable[[dict[str, Any]], Awaitable[Any]]


def with_io(node: Node, io_s: float) -> Node:
    """`node` after `io_s` seconds of fake async I/O (none when 0)."""
    if io_s <= 0:
        return node

    async def slow(packet: dict[str, Any]) -> Any:
        await asyncio.sleep(io_s)
        return await node(packet)

    return slow


def build_shape_bare(io_s: float = 0.0) -> StateGraph[Any, Any, Any, Any]:
    """The campaign graph's shape in plain LangGraph; `work` waits `io_s` seconds first."""
    graph = StateGraph(ShapeState)
    graph.add_node("load_context", load_context)
    graph.add_node("plan", plan)
    graph.add_node("dispatch", dispatch, destinations=("work", "report"))
    graph.add_node("work", with_io(bare_work, io_s), destinations=("judge",))  # type: ignore[arg-type]
    graph.add_node("judge", bare_judge, destinations=("commit",))  # type: ignore[arg-type]
    graph.add_node("commit", commit, destinations=("dispatch",))  # type: ignore[arg-type]
    graph.add_node("report", report)
    graph.add_edge(START, "load_context")
    graph.add_edge("load_context", "plan")
    graph.add_edge("plan", "dispatch")
    graph.add_edge("report", END)
    return graph
