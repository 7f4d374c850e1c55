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
from dataclasses import asdict, dataclass, field
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


Timing = tuple[float, float]
"""(wall seconds, CPU seconds of this process)."""


async def timed(runner: Runner) -> tuple[Timing, Any]:
    """Wall and process-CPU seconds for one invocation, and its output.

    The work is pure in-process CPU, so CPU time is the same measure with other processes'
    load (the scheduler taking the core away) removed.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    out = await runner()
    return (time.perf_counter() - wall, time.process_time() - cpu), out


@dataclass
class Side:
    """Samples of one side: mean wall and CPU seconds per run."""

    wall_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)


@dataclass
class Row:
    """One (N, saver) measurement."""

    n: int
    saver: str
    repeat: int
    ours: Side = field(default_factory=Side)
    bare: Side = field(default_factory=Side)

    def summary(self) -> dict[str, float]:
        """Medians and bests of each side and their ratios (wall and CPU)."""
        med, best = statistics.median, min
        return {
            "ours_median_s": med(self.ours.wall_s),
            "bare_median_s": med(self.bare.wall_s),
            "ratio_median": med(self.ours.wall_s) / med(self.bare.wall_s),
            "ours_best_s": best(self.ours.wall_s),
            "bare_best_s": best(self.bare.wall_s),
            "ratio_best": best(self.ours.wall_s) / best(self.bare.wall_s),
            "ours_cpu_median_s": med(self.ours.cpu_s),
            "bare_cpu_median_s": med(self.bare.cpu_s),
            "ratio_cpu_median": med(self.ours.cpu_s) / med(self.bare.cpu_s),
        }


async def run_side(side: str, n: int, saver: bool, run_no: int) -> Timing:
    """Compile a fresh graph, collect garbage (both untimed), then time and check one run.

    Starting every run from a collected heap puts each side's GC work inside its own run
    instead of wherever a collection happens to trigger.
    """
    make, check = (ours_runner, check_ours) if side == "ours" else (bare_runner, check_bare)
    runner = make(n, saver, run_no)
    gc.collect()
    timing, out = await timed(runner)
    check(out, n)
    return timing


async def sample(n: int, saver: bool, i: int) -> dict[str, Timing]:
    """One paired sample: `inner_runs(n)` runs of each side, alternating run by run.

    Returns the mean (wall, CPU) seconds per run of each side.
    """
    inner = inner_runs(n)
    totals = {"ours": [0.0, 0.0], "bare": [0.0, 0.0]}
    for k in range(inner):
        for side in ("ours", "bare") if (i + k) % 2 == 0 else ("bare", "ours"):
            wall, cpu = await run_side(side, n, saver, i * 1000 + k)
            totals[side][0] += wall
            totals[side][1] += cpu
    return {side: (wall / inner, cpu / inner) for side, (wall, cpu) in totals.items()}


async def measure(n: int, saver: bool, repeat: int) -> Row:
    """`repeat` paired samples after one warm-up sample."""
    await sample(n, saver, -1)
    row = Row(n=n, saver="InMemorySaver" if saver else "none", repeat=repeat)
    for i in range(repeat):
        for side, (wall, cpu) in (await sample(n, saver, i)).items():
            samples = row.ours if side == "ours" else row.bare
            samples.wall_s.append(wall)
            samples.cpu_s.append(cpu)
    return row


def repeats_for(n: int, repeat: int) -> int:
    """Fewer repeats at large N to keep the whole run within a few minutes."""
    return max(1, min(repeat, 3)) if n >= 5000 else repeat


def format_table(rows: list[Row]) -> str:
    """A readable table: one line per (N, saver)."""
    head = (
        f"{'N':>5} {'saver':<13} {'rep':>3} {'ours_s':>8} {'bare_s':>8} {'ratio':>6}"
        f" {'r_best':>6} {'ours_cpu':>8} {'bare_cpu':>8} {'r_cpu':>6}  W1<=1.3"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        s = row.summary()
        ok = "ok" if s["ratio_median"] <= 1.3 else "OVER"
        lines.append(
            f"{row.n:>5} {row.saver:<13} {row.repeat:>3} {s['ours_median_s']:>8.4f}"
            f" {s['bare_median_s']:>8.4f} {s['ratio_median']:>6.2f} {s['ratio_best']:>6.2f}"
            f" {s['ours_cpu_median_s']:>8.4f} {s['bare_cpu_median_s']:>8.4f}"
            f" {s['ratio_cpu_median']:>6.2f}  {ok}"
        )
    lines += [
        "Seconds per graph run, median of `rep` samples (each the mean of max(1, 300 // N) runs).",
        "ratio = ours/bare wall medians (the W1 number); r_best = best/best wall;",
        "*_cpu / r_cpu = the same in this process's CPU time (insensitive to other load).",
    ]
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
