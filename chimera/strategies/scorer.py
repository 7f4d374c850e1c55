"""Deterministic soft scoring of drafts: persona voice and fit to the goal."""

from __future__ import annotations

import re

from chimera.strategies.base import Score
from state.contracts import CaptionPayload, Task
from state.persona import Persona

_WORD = re.compile(r"[a-z]{4,}")
ESCALATED_CONFIDENCE = 0.8
"""Inside the review band at the default thresholds: an escalated reply is never auto-approved."""
_STOP = frozenset(
    {"with", "that", "this", "from", "your", "have", "into", "their", "about", "will"}
)


def content_words(text: str) -> set[str]:
    """Lowercase words of four letters or more, minus stop words."""
    return set(_WORD.findall(text.lower())) - _STOP


class HeuristicScorer:
    """Scores voice (persona words or hashtags present) and goal overlap."""

    name = "heuristic-judge-v1"

    async def score(
        self, task: Task, persona: Persona, payload: CaptionPayload, source_text: str
    ) -> Score:
        """Start at 0.96 and deduct for an off-voice or off-goal draft."""
        confidence, reasons = 0.96, []
        lowered = payload.text.lower()
        markers = [w.lower() for w in persona.voice_words] + [h.lower() for h in persona.hashtags]
        if task.task_type == "publish_post":
            if not any(m in lowered for m in markers):
                confidence -= 0.12
                reasons.append("Draft does not use the persona's voice words or hashtags.")
            if not content_words(task.goal.goal_description) & content_words(payload.text):
                confidence -= 0.12
                reasons.append("Draft does not reflect the campaign goal.")
        if task.params.get("escalate"):
            # Escalated mentions (complaints, sensitive topics) wait for a human by policy.
            confidence = min(confidence, ESCALATED_CONFIDENCE)
            reasons.append(f"Escalated mention ({task.params.get('intent', 'unknown')}).")
        return Score(
            confidence=confidence,
            risk_category="brand_safety_low",
            reasons=reasons,
            sensitive_topics=[],
        )
