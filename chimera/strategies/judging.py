"""One draft through the whole judge without a campaign: score, detect risk, apply the rules.

The judge node, `chimera judge` (a policy owner's dry run) and `python -m bench judge` all use
`judge_draft`, so what the bench measures and what a dry run shows is what a campaign does
(minus the OCC check and novelty against memory, which need a running campaign).
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime

from chimera.strategies.base import Score, Scorer
from chimera.strategies.guardrails import assess
from chimera.strategies.risk import RiskDetector, watched_topics
from state.context import Context
from state.contracts import Artifact, CaptionPayload, Task
from state.persona import Persona
from state.records import Verdict

KINDS = {"post": ("publish_post", "caption"), "reply": ("reply_comment", "reply")}
"""Draft kind -> (task type, artifact type)."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def draft_task(persona: Persona, draft_id: str, kind: str, platform: str, goal: str) -> Task:
    """The task a draft of `kind` would have been written for."""
    return Task.model_validate(
        {
            "task_id": f"task-{draft_id}",
            "task_type": KINDS[kind][0],
            "priority": "medium",
            "agent_id": persona.agent_id,
            "tenant_id": persona.tenant_id,
            "goal": {
                "campaign_id": "cmp-dry-run",
                "goal_description": goal,
                "success_criteria": ["On-brand tone", "Compliance with persona directives"],
            },
            "persona_constraints": persona.constraints.model_dump(),
            "params": {"platform": platform},
            "created_at": _now(),
        }
    )


def draft_artifact(task: Task, kind: str, platform: str, text: str, source: str) -> Artifact:
    """The artifact carrying a draft (and, for a reply, the untrusted text it answers)."""
    return Artifact(
        artifact_id=f"art-{task.task_id.removeprefix('task-')}",
        task_id=task.task_id,
        agent_id=task.agent_id,
        tenant_id=task.tenant_id,
        artifact_type=KINDS[kind][1],
        payload=CaptionPayload(
            text=text, platform=platform, reply_to_id="m-dry-run" if kind == "reply" else None
        ),
        generation_metadata={"model": "dry-run", "temperature": 0.0, "prompt_version": "-"},
        state_snapshot_version=0,
        created_at=_now(),
        source_text=source,
    )


async def with_findings(
    score: Score, detector: RiskDetector | None, artifact: Artifact, persona: Persona
) -> Score:
    """The score with the detector's findings attached (run here when the scorer did not)."""
    if score.findings is not None or detector is None:
        return score
    found = await detector.analyse(
        artifact.payload.text, artifact.source_text, watched_topics(persona)
    )
    return replace(score, findings=found)


async def judge_draft(
    scorer: Scorer,
    detector: RiskDetector | None,
    task: Task,
    artifact: Artifact,
    persona: Persona,
    ctx: Context,
) -> Verdict:
    """Score a draft, attach risk findings and route it with the hard rules (nothing recorded).

    A scorer that raises gives an invalid score, which the rules reject (fail closed).
    """
    try:
        score = await scorer.score(task, persona, artifact.payload, artifact.source_text)
    except Exception as exc:
        score = Score(math.nan, "judge_error_high", [f"Judge failed: {str(exc)[:150]}"], [])
    return assess(artifact, persona, await with_findings(score, detector, artifact, persona), ctx)
