"""W1 fan-out bench, "bare": plain LangGraph, plain dicts.

A TypedDict of dicts and one dict-merge reducer, the same
plan -> N x (work -> judge -> commit) -> join shape as "ours", carrying the same data as plain
dicts.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, Send

from bench.fanout_shared import make_task, persona, task_id
from state.types import utc_now


def merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Dict merge, right wins."""
    return {**(left or {}), **(right or {})}


class BareState(TypedDict, total=False):
    """The bare graph's state: inputs plus dict channels merged by key."""

    tenant_id: str
    agent_id: str
    campaign_id: str
    goal: str
    n: int
    tasks: Annotated[dict[str, Any], merge]
    status: Annotated[dict[str, Any], merge]
    artifacts: Annotated[dict[str, Any], merge]
    verdicts: Annotated[dict[str, Any], merge]
    published: Annotated[dict[str, Any], merge]
    report: dict[str, Any]


@cache
def plain_payloads() -> tuple[dict[str, Any], dict[str, Any]]:
    """A task and the persona as plain JSON dicts (same data volume as ours, no pydantic)."""
    task = make_task(0, persona(), utc_now())
    return task.model_dump(mode="json"), persona().model_dump(mode="json")


async def bare_plan(state: BareState) -> dict[str, Any]:
    """N task dicts, all pending."""
    template, _ = plain_payloads()
    tasks = {task_id(i): {**template, "task_id": task_id(i)} for i in range(state["n"])}
    return {"tasks": tasks, "status": dict.fromkeys(tasks, "pending")}


def bare_fan_out(state: BareState) -> list[Send]:
    """One Send per task, carrying run, task and persona."""
    _, who = plain_payloads()
    run = {"tenant_id": state["tenant_id"], "campaign_id": state["campaign_id"], "state_version": 0}
    return [Send("work", {"run": run, "task": t, "persona": who}) for t in state["tasks"].values()]


async def bare_work(packet: dict[str, Any]) -> Command[Literal["judge"]]:
    """Draft a dict artifact."""
    tid = packet["task"]["task_id"]
    artifact = {
        "artifact_id": f"art-{tid}",
        "task_id": tid,
        "artifact_type": "caption",
        "payload": {"text": f"Bench caption for {tid} #AI", "platform": "twitter"},
        "generation_metadata": {
            "model": "stub",
            "temperature": 0.7,
            "prompt_version": "caption_v1",
        },
        "state_snapshot_version": 0,
        "created_at": utc_now(),
    }
    return Command(
        update={"artifacts": {tid: artifact}}, goto=Send("judge", {**packet, "artifact": artifact})
    )


async def bare_judge(packet: dict[str, Any]) -> Command[Literal["commit"]]:
    """Approve."""
    tid = packet["task"]["task_id"]
    verdict = {
        "task_id": tid,
        "artifact_id": packet["artifact"]["artifact_id"],
        "decision": "approve",
        "confidence": 0.95,
        "risk_category": "low",
    }
    return Command(
        update={"verdicts": {tid: verdict}}, goto=Send("commit", {**packet, "verdict": verdict})
    )


async def bare_commit(packet: dict[str, Any]) -> Command[Literal["join"]]:
    """Record a published dict."""
    tid = packet["task"]["task_id"]
    published = {
        "task_id": tid,
        "kind": "post_content",
        "external_id": f"post-{tid}",
        "platform": "twitter",
        "text": packet["artifact"]["payload"]["text"],
    }
    return Command(update={"published": {tid: published}, "status": {tid: "done"}}, goto="join")


async def bare_join(state: BareState) -> dict[str, Any]:
    """Summarise."""
    return {
        "report": {
            "done": sum(1 for s in state["status"].values() if s == "done"),
            "published": list(state["published"].values()),
        }
    }


def build_bare() -> StateGraph[Any, Any, Any, Any]:
    """plan -> N x Send(work) -> judge -> commit -> join -> END."""
    graph = StateGraph(BareState)
    graph.add_node("plan", bare_plan)
    graph.add_node("work", bare_work, destinations=("judge",))  # type: ignore[arg-type]
    graph.add_node("judge", bare_judge, destinations=("commit",))  # type: ignore[arg-type]
    graph.add_node("commit", bare_commit, destinations=("join",))  # type: ignore[arg-type]
    graph.add_node("join", bare_join)
    graph.add_edge(START, "plan")
    graph.add_conditional_edges("plan", bare_fan_out, ["work"])
    graph.add_edge("join", END)
    return graph
