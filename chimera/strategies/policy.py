"""Hard policy checks applied to every draft after soft scoring (fail closed).

Forbidden topics, platform limits, AI disclosure and untrusted instructions override any model
score; sensitive topics in the draft or in the text it answers force human review.
"""

from __future__ import annotations

import math

from chimera.strategies.base import Score
from chimera.strategies.routing import route
from chimera.strategies.topics import SENSITIVE_DEFAULT, looks_like_injection, topics_in
from chimera.strategies.writer import limit_for
from state.context import Context
from state.contracts import Artifact
from state.persona import Persona
from state.records import Verdict


def _valid(score: float) -> bool:
    return isinstance(score, int | float) and not math.isnan(score) and 0.0 <= score <= 1.0


def assess(artifact: Artifact, persona: Persona, soft: Score, ctx: Context) -> Verdict:
    """Combine a soft score with the hard rules and route the result."""
    text, source = artifact.payload.text, artifact.source_text
    reasons = list(soft.reasons)
    confidence = soft.confidence if _valid(soft.confidence) else -1.0
    risk = soft.risk_category
    if not _valid(soft.confidence):
        reasons.append("Judge score missing or invalid; failing closed.")
    if len(text) > limit_for(artifact.payload.platform):
        confidence = min(confidence, 0.3)
        reasons.append(f"Over the {artifact.payload.platform} length limit.")
    if persona.disclosure.ai_generated and persona.disclosure.label.lower() not in text.lower():
        confidence = min(confidence, 0.5)
        reasons.append("Missing AI disclosure.")
    forbidden = topics_in(text, persona.forbidden_topics)
    if forbidden:
        confidence, risk = min(confidence, 0.4), "brand_safety_high"
        reasons.append(f"Touches forbidden topics: {', '.join(forbidden)}.")
    if looks_like_injection(source):
        confidence, risk = min(confidence, 0.3), "prompt_injection_high"
        reasons.append("Source text tries to instruct the agent; treated as data.")
    sensitive_names = tuple(dict.fromkeys([*SENSITIVE_DEFAULT, *persona.sensitive_topics]))
    sensitive = list(
        dict.fromkeys(
            [
                *soft.sensitive_topics,
                *topics_in(text, sensitive_names),
                *topics_in(source, sensitive_names),
            ]
        )
    )
    if sensitive and "high" not in risk:
        risk = f"{sensitive[0].replace(' ', '_')}_medium"
        reasons.append(f"Sensitive topic ({', '.join(sensitive)}) always needs a human.")
    decision = route(
        confidence,
        risk,
        sensitive=bool(sensitive),
        approve_threshold=ctx.approve_threshold,
        review_threshold=ctx.review_threshold,
    )
    if decision == "review" and confidence < ctx.approve_threshold and not sensitive:
        reasons.append("Confidence below auto-approval threshold for this campaign.")
    return Verdict(
        task_id=artifact.task_id,
        artifact_id=artifact.artifact_id,
        decision=decision,
        confidence=round(max(confidence, 0.0), 4),
        risk_category=risk,
        reasons=[r[:200] for r in reasons][:20] or ["Meets persona, platform and safety rules."],
        sensitive_topics=sensitive[:20],
    )
