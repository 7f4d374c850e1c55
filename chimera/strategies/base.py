"""Strategy interfaces shared by the deterministic and LLM implementations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from state.context import Context
from state.contracts import CaptionPayload, Task
from state.memory import MemoryContext
from state.persona import Persona
from state.plan import TaskDAG
from state.records import Mention, Rejection, TrendSignal


@dataclass(frozen=True)
class PlanRequest:
    """Everything a planner may use."""

    goal: str
    persona: Persona
    trends: list[TrendSignal]
    mentions: list[Mention]
    context: Context
    rejections: list[Rejection] = field(default_factory=list)
    attempt: int = 0
    redo: frozenset[str] = frozenset()
    """On replan: the plan keys of rejected posts to attempt again."""
    memory: MemoryContext | None = None
    """What load_context recalled (recent posts, facts)."""


@dataclass(frozen=True)
class Score:
    """A judge's raw assessment before routing."""

    confidence: float
    risk_category: str
    reasons: list[str]
    sensitive_topics: list[str]


class Planner(Protocol):
    """Goal + persona + signals -> TaskDAG."""

    name: str

    async def plan(self, request: PlanRequest) -> TaskDAG:
        """Write a plan (validated by the caller)."""
        ...


class Writer(Protocol):
    """Task + persona -> caption or reply payload."""

    name: str
    prompt_version: str

    async def write(
        self, task: Task, persona: Persona, memory: MemoryContext | None = None
    ) -> CaptionPayload:
        """Draft the text of a post or reply."""
        ...


class Scorer(Protocol):
    """Soft assessment of a draft (voice, goal fit); hard policy checks are applied after."""

    name: str

    async def score(
        self, task: Task, persona: Persona, payload: CaptionPayload, source_text: str
    ) -> Score:
        """Score a draft."""
        ...
