"""W1 fan-out bench, "ours": our engine parts (dispatch, reducers, payloads), stub work.

A `StateGraph(CampaignState, context_schema=Context)` with the real `dispatch` node, our
reducers, `Envelope`/`RunRef` Send payloads and real Task/Artifact/Verdict/Published objects;
every other node is an in-process stub that follows the node protocol exactly but does no I/O.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from bench.fanout_shared import CRITERIA, make_task, persona
from nodes.dispatch import dispatch
from nodes.report import build_report
from state.context import Context
from state.contracts import Artifact, ArtifactType, CaptionPayload, GenerationMetadata
from state.graph import CampaignInput, CampaignOutput, CampaignState
from state.records import Envelope, Published, TaskStatus, Verdict
from state.types import utc_now


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


def build_ours(work: Any = stub_work) -> StateGraph[Any, Any, Any, Any]:
    """The campaign graph's shape with our dispatch, state and payloads, stub work.

    `work` replaces the stub worker (the concurrency bench adds fake I/O to it).
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
    graph.add_node("work", work, destinations=("judge", "dispatch"))
    graph.add_node("judge", stub_judge, destinations=("commit", "review", "dispatch"))  # type: ignore[arg-type]
    graph.add_node("review", stub_review, destinations=("commit", "dispatch"))  # type: ignore[arg-type]
    graph.add_node("commit", stub_commit, destinations=("dispatch",))  # type: ignore[arg-type]
    graph.add_node("report", stub_report)
    graph.add_edge(START, "load_context")
    graph.add_edge("load_context", "plan")
    graph.add_edge("plan", "dispatch")
    graph.add_edge("report", END)
    return graph
