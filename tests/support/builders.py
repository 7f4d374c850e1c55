"""Shared builders for the unit tests (specs/_meta.md §4): real personas, tasks and artifacts,
and the locations a validation error names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from chimera.control.personas import load_persona
from chimera.strategies.base import Score
from state.contracts import Artifact, CaptionPayload, Task
from state.persona import Persona

REPO = Path(__file__).resolve().parents[2]
AGENTS = REPO / "agents"
ETHIOPIA = "agent-ethiopia-fashion-001"
LAGOS = "agent-lagos-tech-002"
NOW = "2026-02-06T10:00:00Z"


# Parsed once at import, so async tests never do file I/O inside the event loop.
_PERSONAS: dict[str, Persona] = {a: load_persona(AGENTS, a) for a in (ETHIOPIA, LAGOS)}


def persona(agent_id: str = ETHIOPIA) -> Persona:
    """A sample persona, parsed from its real SOUL.md."""
    return _PERSONAS[agent_id]


def task_dict(**overrides: Any) -> dict[str, Any]:
    """A valid Task payload with the shared contract's example values (specs/technical.md §2.2)."""
    data: dict[str, Any] = {
        "task_id": "uuid-1234",
        "task_type": "generate_caption",
        "priority": "high",
        "agent_id": ETHIOPIA,
        "tenant_id": "tenant-xyz",
        "goal": {
            "campaign_id": "cmp-summer-ethiopia-2026",
            "goal_description": "Promote the new Ethiopian summer fashion line on TikTok.",
            "success_criteria": [
                "High engagement rate",
                "On-brand tone",
                "Compliance with persona directives",
            ],
        },
        "persona_constraints": {
            "voice": ["witty", "aspirational"],
            "forbidden_topics": ["politics", "explicit content"],
            "tone_notes": "Highlight local designers and sustainable fabrics.",
        },
        "context": {
            "trend_alert_ids": ["trend-987"],
            "recent_posts": [
                {
                    "post_id": "post-123",
                    "platform": "tiktok",
                    "summary": "Showcasing Addis Ababa street style.",
                }
            ],
        },
        "required_resources": ["news://ethiopia/fashion/trends", "twitter://mentions/recent"],
        "created_at": NOW,
        "deadline": "2026-02-06T10:05:00Z",
    }
    data.update(overrides)
    return data


def make_task(
    *,
    task_id: str = "task-1",
    task_type: str = "publish_post",
    priority: str = "medium",
    depends_on: list[str] | None = None,
    params: dict[str, str] | None = None,
    agent: str = ETHIOPIA,
    goal: str = "Promote the new Ethiopian summer fashion line on TikTok.",
) -> Task:
    """A Task for the given persona, as the plan node would materialise it."""
    p = persona(agent)
    return Task.model_validate(
        task_dict(
            task_id=task_id,
            task_type=task_type,
            priority=priority,
            agent_id=p.agent_id,
            tenant_id=p.tenant_id,
            depends_on=depends_on or [],
            params=params or {},
            goal={
                "campaign_id": "cmp-1",
                "goal_description": goal,
                "success_criteria": ["On-brand tone"],
            },
            persona_constraints=p.constraints.model_dump(),
        )
    )


def make_artifact(
    text: str,
    *,
    platform: str = "tiktok",
    source_text: str = "",
    artifact_type: str = "caption",
    agent: str = ETHIOPIA,
) -> Artifact:
    """An artifact carrying `text` (and, for replies, the untrusted `source_text`)."""
    p = persona(agent)
    return Artifact(
        artifact_id="art-5678",
        task_id="task-1",
        agent_id=p.agent_id,
        tenant_id=p.tenant_id,
        artifact_type=artifact_type,
        payload=CaptionPayload(
            text=text, platform=platform, reply_to_id="m-1" if artifact_type == "reply" else None
        ),
        generation_metadata={
            "model": "deterministic",
            "temperature": 0.0,
            "prompt_version": "caption_v2",
        },
        state_snapshot_version=1,
        created_at=NOW,
        source_text=source_text,
    )


def clean_score(confidence: float = 0.96, risk: str = "brand_safety_low") -> Score:
    """A soft score with no reasons and no sensitive topics."""
    return Score(confidence=confidence, risk_category=risk, reasons=[], sensitive_topics=[])


def error_locs(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[Any, ...]]:
    """The `loc` of every error a validation failure reports."""
    return [tuple(e["loc"]) for e in exc.value.errors()]
