"""W1: fan-out engine overhead, ours / bare LangGraph of the same shape (ARCHITECTURE §9).

"ours" is a `StateGraph(CampaignState, context_schema=Context)` with the real `dispatch` node,
our reducers, `Envelope`/`RunRef` Send payloads and real Task/Artifact/Verdict/Published objects;
every other node is an in-process stub that follows the node protocol exactly but does no I/O.
"bare" is plain LangGraph with a TypedDict of dicts and one dict-merge reducer, the same
plan -> N x (work -> judge -> commit) -> join shape, carrying the same data as plain dicts.
Both run in one process, alternating, with `InMemorySaver` and without a checkpointer.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from chimera.personas import load_persona
from chimera.settings import REPO_ROOT
from nodes.dispatch import dispatch
from nodes.report import build_report
from state.context import Context
from state.contracts import (
    Artifact,
    ArtifactType,
    CaptionPayload,
    GenerationMetadata,
    Task,
    TaskGoal,
)
from state.graph import CampaignInput, CampaignOutput, CampaignState
from state.persona import Persona
from state.records import Envelope, Published, TaskStatus, Verdict
from state.types import utc_now

AGENT_ID = "agent-ethiopia-fashion-001"
TENANT_ID = "tenant-xyz"
CAMPAIGN_ID = "campaign-bench"
GOAL = "Benchmark the fan-out engine"
CRITERIA = ["On-brand tone"]
Runner = Callable[[], Any]


@cache
def persona() -> Persona:
    """The sample persona every task carries."""
    return load_persona(REPO_ROOT / "agents", AGENT_ID)


def task_id(i: int) -> str:
    """Stable id of the i-th task."""
    return f"task-{i:05d}"


def make_task(i: int, who: Persona, now: str) -> Task:
    """One `publish_post` task with no dependencies."""
    return Task(
        task_id=task_id(i),
        task_type="publish_post",
        priority="medium",
        agent_id=who.agent_id,
        tenant_id=who.tenant_id,
        goal=TaskGoal(campaign_id=CAMPAIGN_ID, goal_description=GOAL, success_criteria=CRITERIA),
        persona_constraints=who.constraints,
        params={"key": f"post-{i}", "platform": "twitter"},
        created_at=now,
    )


# --- ours: our engine parts, stub work ------------------------------------------------------


async def stub_load_context(state: CampaignState) -> dict[str, Any]:
    """load_context without I/O: the persona and the run's version."""
    return {"persona": persona(), "state_version": 0, "success_criteria": CRITERIA, "replans": 0}


async def stub_plan(state: CampaignState, runtime: Runtime[Context]) -> dict[str, Any]:
    """plan without a planner: `max_tasks` independent publish_post tasks."""
    now = utc_now()
    tasks = [make_task(i, state["persona"], now) for i in range(runtime.context.max_tasks)]
    return {
        "tasks": {t.task_id: t for t in tasks},
        "status": {t.task_id: TaskStatus.PENDING for t in tasks},
    }


def stub_artifact(env: Envelope) -> Artifact:
    """The caption artifact a writer would produce."""
    task = env.task
    return Artifact(
        artifact_id=f"art-{task.task_id}",
        task_id=task.task_id,
        agent_id=task.agent_id,
        tenant_id=task.tenant_id,
        artifact_type=ArtifactType.CAPTION,
        payload=CaptionPayload(text=f"Bench caption for {task.task_id} #AI", platform="twitter"),
        generation_metadata=GenerationMetadata(
            model="stub", temperature=0.7, prompt_version="caption_v1"
        ),
        state_snapshot_version=env.run.state_version,
        created_at=utc_now(),
    )


async def stub_work(env: Envelope) -> Command[Literal["judge", "dispatch"]]:
    """work: draft an artifact and hand it to the judge in its own Send."""
    artifact = stub_artifact(env)
    return Command(
        update={"artifacts": {env.task.task_id: artifact}},
        goto=Send("judge", env.model_copy(update={"artifact": artifact})),
    )


async def stub_judge(env: Envelope) -> Command[Literal["commit", "review", "dispatch"]]:
    """judge: approve and route to commit."""
    assert env.artifact is not None
    verdict = Verdict(
        task_id=env.task.task_id,
        artifact_id=env.artifact.artifact_id,
        decision="approve",
        confidence=0.95,
        risk_category="low",
    )
    return Command(
        update={"verdicts": {env.task.task_id: verdict}},
        goto=Send("commit", env.model_copy(update={"verdict": verdict})),
    )


async def stub_commit(env: Envelope) -> Command[Literal["dispatch"]]:
    """commit: record a published post and go back to dispatch."""
    assert env.artifact is not None
    task_id_ = env.task.task_id
    published = Published(
        task_id=task_id_,
        kind="post_content",
        external_id=f"post-{task_id_}",
        platform=env.artifact.payload.platform,
        text=env.artifact.payload.text,
    )
    return Command(
        update={"published": {task_id_: published}, "status": {task_id_: TaskStatus.DONE}},
        goto="dispatch",
    )


async def stub_review(env: Envelope) -> Command[Literal["commit", "dispatch"]]:
    """review: never reached (every verdict approves); present so the graph has the same edges."""
    return Command(goto=Send("commit", env))


async def stub_report(state: CampaignState, config: RunnableConfig) -> dict[str, Any]:
    """report: the real summary, without writing it anywhere."""
    return {"report": build_report(state, str(config["configurable"]["thread_id"]))}


def build_ours() -> StateGraph[Any, Any, Any, Any]:
    """The campaign graph's shape with our dispatch, state and payloads, stub work.

    Send-target nodes take a packet, not the state, which LangGraph's stubs cannot express.
    """
    graph = StateGraph(
        CampaignState,
        context_schema=Context,
        input_schema=CampaignInput,
        output_schema=CampaignOutput,
    )
    graph.add_node("load_context", stub_load_context)
    graph.add_node("plan", stub_plan)
    graph.add_node("dispatch", dispatch, destinations=("work", "plan", "report"))
    graph.add_node("work", stub_work, destinations=("judge", "dispatch"))  # type: ignore[arg-type]
    graph.add_node("judge", stub_judge, destinations=("commit", "review", "dispatch"))  # type: ignore[arg-type]
    graph.add_node("review", stub_review, destinations=("commit", "dispatch"))  # type: ignore[arg-type]
    graph.add_node("commit", stub_commit, destinations=("dispatch",))  # type: ignore[arg-type]
    graph.add_node("report", stub_report)
    graph.add_edge(START, "load_context")
    graph.add_edge("load_context", "plan")
    graph.add_edge("plan", "dispatch")
    graph.add_edge("report", END)
    return graph


# --- bare: plain LangGraph, plain dicts -----------------------------------------------------


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


# --- measurement ----------------------------------------------------------------------------


def _inputs() -> dict[str, Any]:
    return {"tenant_id": TENANT_ID, "agent_id": AGENT_ID, "campaign_id": CAMPAIGN_ID, "goal": GOAL}


def ours_runner(n: int, saver: bool, run_no: int) -> Runner:
    """A ready-to-await invocation of a freshly compiled "ours" graph (compile not timed)."""
    app = build_ours().compile(checkpointer=InMemorySaver() if saver else None)
    config: RunnableConfig = {"configurable": {"thread_id": f"ours-{n}-{run_no}"}}
    ctx = Context(max_parallel_workers=n, max_tasks=n)
    return lambda: app.ainvoke(_inputs(), config, context=ctx)


def bare_runner(n: int, saver: bool, run_no: int) -> Runner:
    """A ready-to-await invocation of a freshly compiled "bare" graph (compile not timed)."""
    app = build_bare().compile(checkpointer=InMemorySaver() if saver else None)
    config: RunnableConfig = {"configurable": {"thread_id": f"bare-{n}-{run_no}"}}
    return lambda: app.ainvoke({**_inputs(), "n": n}, config)


def check_ours(out: dict[str, Any], n: int) -> None:
    """Fail loudly if the ours graph did not publish every task."""
    report = out["report"]
    assert len(report.published) == n and set(report.tasks.values()) == {"done"}, report


def check_bare(out: dict[str, Any], n: int) -> None:
    """Fail loudly if the bare graph did not publish every task."""
    assert out["report"]["done"] == n and len(out["report"]["published"]) == n


def inner_runs(n: int) -> int:
    """Invocations per timed sample, so a sample at small N lasts long enough to time well."""
    return max(1, 300 // n)


async def timed(runner: Runner) -> tuple[float, Any]:
    """Seconds for one invocation, and its output."""
    start = time.perf_counter()
    out = await runner()
    return time.perf_counter() - start, out


@dataclass
class Row:
    """One (N, saver) measurement."""

    n: int
    saver: str
    repeat: int
    ours_s: list[float]
    bare_s: list[float]

    def summary(self) -> dict[str, float]:
        """Median and best of each side and their ratios."""
        om, bm = statistics.median(self.ours_s), statistics.median(self.bare_s)
        ob, bb = min(self.ours_s), min(self.bare_s)
        return {
            "ours_median_s": om,
            "bare_median_s": bm,
            "ratio_median": om / bm,
            "ours_best_s": ob,
            "bare_best_s": bb,
            "ratio_best": ob / bb,
        }


async def sample(n: int, saver: bool, i: int) -> tuple[float, float]:
    """One paired sample: `inner_runs(n)` runs of each side, alternating run by run.

    Graphs are compiled fresh before timing; a full GC precedes the sample. Returns the mean
    seconds per run of ours and of bare.
    """
    inner = inner_runs(n)
    pairs = [
        (ours_runner(n, saver, i * 1000 + k), bare_runner(n, saver, i * 1000 + k))
        for k in range(inner)
    ]
    totals = {"ours": 0.0, "bare": 0.0}
    gc.collect()
    for k, (ours, bare) in enumerate(pairs):
        order = [("ours", ours), ("bare", bare)]
        for side, runner in order if (i + k) % 2 == 0 else order[::-1]:
            seconds, out = await timed(runner)
            (check_ours if side == "ours" else check_bare)(out, n)
            totals[side] += seconds
    return totals["ours"] / inner, totals["bare"] / inner


async def measure(n: int, saver: bool, repeat: int) -> Row:
    """`repeat` paired samples after one warm-up sample."""
    await sample(n, saver, -1)
    row = Row(n=n, saver="InMemorySaver" if saver else "none", repeat=repeat, ours_s=[], bare_s=[])
    for i in range(repeat):
        ours_s, bare_s = await sample(n, saver, i)
        row.ours_s.append(ours_s)
        row.bare_s.append(bare_s)
    return row


def repeats_for(n: int, repeat: int) -> int:
    """Fewer repeats at large N to keep the whole run within a few minutes."""
    return max(1, min(repeat, 3)) if n >= 5000 else repeat


def format_table(rows: list[Row]) -> str:
    """A readable table: one line per (N, saver)."""
    head = (
        f"{'N':>6} {'saver':<14} {'rep':>3} {'ours_s':>9} {'bare_s':>9} {'ratio':>6}"
        f" {'ours_best':>9} {'bare_best':>9} {'r_best':>6}  W1<=1.3"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        s = row.summary()
        ok = "ok" if s["ratio_median"] <= 1.3 else "OVER"
        lines.append(
            f"{row.n:>6} {row.saver:<14} {row.repeat:>3} {s['ours_median_s']:>9.4f}"
            f" {s['bare_median_s']:>9.4f} {s['ratio_median']:>6.2f} {s['ours_best_s']:>9.4f}"
            f" {s['bare_best_s']:>9.4f} {s['ratio_best']:>6.2f}  {ok}"
        )
    lines.append(
        "seconds per graph run; ours_s/bare_s are medians of `rep` samples, each the mean of"
        " max(1, 300 // N) runs; ratio = ours/bare of medians; r_best = best/best."
    )
    return "\n".join(lines)


async def run_all(sizes: list[int], repeat: int) -> list[Row]:
    """Every size, with and without a checkpointer."""
    rows = []
    for n in sizes:
        for saver in (True, False):
            rows.append(await measure(n, saver, repeats_for(n, repeat)))
            print(f"  measured N={n} saver={rows[-1].saver}", flush=True)
    return rows


def main(sizes: list[int], repeat: int) -> dict[str, Any]:
    """Run the benchmark and print the table; returns the JSON document to write."""
    started = time.perf_counter()
    rows = asyncio.run(run_all(sizes, repeat))
    print(format_table(rows))
    doc = {
        "benchmark": "fanout",
        "target": "ours/bare <= 1.3 at N = 10, 100, 1000 (ARCHITECTURE §9 W1)",
        "wall_s": time.perf_counter() - started,
        "runs_per_sample": {str(n): inner_runs(n) for n in sizes},
        "rows": [{**asdict(r), **r.summary()} for r in rows],
    }
    return doc
