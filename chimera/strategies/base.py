"""Strategy interfaces shared by the deterministic and LLM implementations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from chimera.strategies.risk import RiskReport
from state.context import Context
from state.contracts import CaptionPayload, Task
from state.engagement import Engagement
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
    platforms: list[str] = field(default_factory=list)
    """The targeted platforms (override, else named in the goal, else the persona's)."""
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    """The planning clock (tests control it)."""
    taken_posts: dict[str, list[datetime]] = field(default_factory=dict)
    """Times of the agent's published and scheduled posts, per platform."""
    taken_replies: list[datetime] = field(default_factory=list)
    """Times of the agent's published and scheduled replies."""

    @property
    def targets(self) -> list[str]:
        """The targeted platforms (the persona's when none were resolved)."""
        return self.platforms or list(self.persona.platforms)

    engagements: list[Engagement] = field(default_factory=list)
    """Mentions this run decided to answer (reply or escalate), highest priority first."""
    memory: MemoryContext | None = None
    """What load_context recalled (recent posts, facts)."""


@dataclass(frozen=True)
class Score:
    """A judge's raw assessment before routing."""

    confidence: float
    risk_category: str
    reasons: list[str]
    sensitive_topics: list[str]
    findings: RiskReport | None = None
    """What the risk detector found (None: not run; the judge runs it before routing)."""


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
