"""Deterministic soft scoring of drafts: a confidence built from measured signals.

Each signal is in [0, 1] and has a weight; the confidence is a floor plus the weighted sum, so
it moves continuously and every signal that held it back is named in the reasons:

- voice: how many of the persona's voice words and hashtags the draft uses;
- relevance: for a post, closeness to the campaign goal; for a reply, to the text it answers
  (embedding cosine with a model, shared words without);
- platform fit: room left under the platform's length limit, a sane number of hashtags, a reply
  that addresses someone;
- risk distance: how far the draft and its source are from the nearest risky topic.

Novelty against memory is applied by the judge node afterwards (`novelty.penalise_duplicate`),
and hard policy rules after that (`guardrails.assess`), whatever this score says.
"""

from __future__ import annotations

import re

from chimera.strategies.base import Score
from chimera.strategies.risk import RiskDetector, RiskReport, watched_topics
from chimera.strategies.writer import limit_for
from state.contracts import CaptionPayload, Task
from state.persona import Persona

_WORD = re.compile(r"[a-z]{4,}")
ESCALATED_CONFIDENCE = 0.8
"""Inside the review band at the default thresholds: an escalated reply is never auto-approved."""
_STOP = frozenset(
    {"with", "that", "this", "from", "your", "have", "into", "their", "about", "will"}
)
FLOOR = 0.55
"""Confidence of a draft with every signal at zero."""
WEIGHTS = {"voice": 0.14, "relevance": 0.10, "fit": 0.06, "risk": 0.14}
"""Share of each signal; FLOOR plus all weights is 0.99."""
COSINE_LOW, COSINE_HIGH = 0.74, 0.84
"""E5 cosines between related short texts: below LOW unrelated, above HIGH on point."""


def content_words(text: str) -> set[str]:
    """Lowercase words of four letters or more, minus stop words."""
    return set(_WORD.findall(text.lower())) - _STOP


def voice_signal(persona: Persona, text: str) -> float:
    """Persona voice: 0 with no voice word, hashtag or call to action, 0.8 with one, 1 with two."""
    lowered = text.lower()
    markers = {w.lower() for w in persona.voice_words} | {h.lower() for h in persona.hashtags}
    markers.add(persona.call_to_action.lower().rstrip("."))
    return (0.0, 0.8, 1.0)[min(sum(1 for m in markers if m and m in lowered), 2)]


def fit_signal(payload: CaptionPayload, kind: str) -> float:
    """Platform fit: room under the length limit, 1-5 hashtags, a reply that names someone."""
    limit = limit_for(payload.platform)
    room = 1.0 if len(payload.text) <= 0.9 * limit else 0.5 if len(payload.text) <= limit else 0
    tags = payload.text.count("#")
    tagged = 1.0 if 1 <= tags <= 5 else 0.5
    addressed = 1.0 if kind != "reply_comment" or payload.text.lstrip().startswith("@") else 0.5
    return round(room * (tagged + addressed) / 2, 4)


def _scale(cosine: float) -> float:
    return min(max((cosine - COSINE_LOW) / (COSINE_HIGH - COSINE_LOW), 0.0), 1.0)


class HeuristicScorer:
    """Scores voice, relevance, platform fit and distance from risky topics."""

    name = "heuristic-judge-v2"

    def __init__(self, detector: RiskDetector | None = None) -> None:
        """Score with `detector`'s embedding model (None: words and rules only)."""
        self.detector = detector or RiskDetector(None)

    async def _relevance(self, task: Task, text: str, source: str) -> float:
        anchor = source if task.task_type == "reply_comment" and source else ""
        anchor = anchor or task.goal.goal_description
        if self.detector.semantic:
            return _scale(await self.detector.similarity(text, anchor))
        shared = content_words(anchor) & content_words(text)
        return 1.0 if shared else 0.0

    async def score(
        self, task: Task, persona: Persona, payload: CaptionPayload, source_text: str
    ) -> Score:
        """Weigh the signals into a confidence and name the ones that held it back."""
        findings = await self.detector.analyse(payload.text, source_text, watched_topics(persona))
        signals = {
            "voice": voice_signal(persona, payload.text),
            "relevance": await self._relevance(task, payload.text, source_text),
            "fit": fit_signal(payload, str(task.task_type)),
            "risk": 1.0 - findings.closeness,
        }
        confidence = FLOOR + sum(WEIGHTS[k] * v for k, v in signals.items())
        reasons = _reasons(signals, task)
        if task.params.get("escalate"):
            # Escalated mentions (complaints, sensitive topics) wait for a human by policy.
            confidence = min(confidence, ESCALATED_CONFIDENCE)
            reasons.append(f"Escalated mention ({task.params.get('intent', 'unknown')}).")
        return Score(
            confidence=round(confidence, 4),
            risk_category=_risk_label(findings),
            reasons=reasons,
            sensitive_topics=[],
            findings=findings,
        )


def _risk_label(findings: RiskReport) -> str:
    level = "low" if findings.closeness < 0.5 else "medium"
    return f"brand_safety_{level}"


def _reasons(signals: dict[str, float], task: Task) -> list[str]:
    what = "the text it answers" if task.task_type == "reply_comment" else "the campaign goal"
    texts = {
        "voice": "Draft uses few of the persona's voice words or hashtags",
        "relevance": f"Draft is loosely related to {what}",
        "fit": "Draft fits the platform poorly (length, hashtags or addressee)",
        "risk": "Draft or its source is close to a sensitive topic",
    }
    return [
        f"{texts[k]} ({k} {v:.2f}, -{WEIGHTS[k] * (1 - v):.2f})."
        for k, v in signals.items()
        if v < 0.75
    ]
