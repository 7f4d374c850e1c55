"""Hard policy checks applied to every draft after soft scoring (fail closed).

A hard failure rejects whatever the score and the campaign's thresholds: over the platform
limit, missing AI disclosure, a sponsored post without its paid-partnership tag (`#ad`), a
forbidden topic in the draft or in the text it answers, or untrusted text that tries to instruct
the agent. Otherwise a sensitive topic in the draft or its source forces human review, and the
thresholds route the rest.
"""

from __future__ import annotations

import math
import re

from chimera.strategies.base import Score
from chimera.strategies.routing import route
from chimera.strategies.topics import SENSITIVE_DEFAULT, looks_like_injection, topics_in
from chimera.strategies.writer import limit_for
from state.context import Context
from state.contracts import Artifact
from state.persona import AD_TAG, Persona
from state.records import Verdict

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_AD = re.compile(rf"(?<!\w){re.escape(AD_TAG)}(?!\w)", re.IGNORECASE)


def risk_slug(topic: str, level: str) -> str:
    """A `<domain>_<level>` risk label from free text ("Personal Finance" -> personal_finance)."""
    domain = _NOT_SLUG.sub("_", topic.lower()).strip("_") or "policy"
    return f"{domain}_{level}"


def _valid(score: float) -> bool:
    return isinstance(score, int | float) and not math.isnan(score) and 0.0 <= score <= 1.0


def hard_failures(artifact: Artifact, persona: Persona) -> tuple[list[str], str | None]:
    """Reasons that reject a draft outright, and the high-risk label if one applies."""
    text, source, platform = artifact.payload.text, artifact.source_text, artifact.payload.platform
    reasons: list[str] = []
    risk = None
    if len(text) > limit_for(platform):
        reasons.append(f"Over the {platform} length limit ({len(text)} > {limit_for(platform)}).")
    if persona.disclosure.ai_generated and persona.disclosure.label.lower() not in text.lower():
        reasons.append(f"Missing AI disclosure ({persona.disclosure.label}).")
    if persona.disclosure.sponsor and not _AD.search(text):
        reasons.append(
            f"Sponsored by {persona.disclosure.sponsor} but missing the paid-partnership"
            f" disclosure ({AD_TAG})."
        )
    if forbidden := topics_in(text, persona.forbidden_topics):
        reasons.append(f"Touches forbidden topics: {', '.join(forbidden)}.")
        risk = "brand_safety_high"
    if forbidden_source := topics_in(source, persona.forbidden_topics):
        reasons.append(f"Answers a message about forbidden topics: {', '.join(forbidden_source)}.")
        risk = "brand_safety_high"
    if media_failures := unverified_media(artifact, persona):
        reasons.extend(media_failures)
        risk = "brand_safety_high"
    if looks_like_injection(source):
        reasons.append("Source text tries to instruct the agent; treated as data, not answered.")
        risk = "prompt_injection_high"
    return reasons, risk


def unverified_media(artifact: Artifact, persona: Persona) -> list[str]:
    """Attached media that is not on-model or not accounted for by the artifact.

    An image must carry the persona's character reference (FR 3.1); every media id of the
    payload must be one of the artifact's generated assets.
    """
    known = {m.asset_id for m in artifact.media}
    reasons = [
        f"Image {m.asset_id} lacks the character reference {persona.character_reference_id}."
        for m in artifact.media
        if m.kind == "image" and m.character_reference_id != persona.character_reference_id
    ]
    reasons += [
        f"Attached media {mid} was not generated for this artifact."
        for mid in artifact.payload.media_ids
        if mid not in known
    ]
    return reasons


def sensitive_topics(artifact: Artifact, persona: Persona, soft: Score) -> list[str]:
    """Sensitive topics in the draft, its source, or named by the scorer."""
    names = tuple(dict.fromkeys([*SENSITIVE_DEFAULT, *persona.sensitive_topics]))
    found = [
        *soft.sensitive_topics,
        *topics_in(artifact.payload.text, names),
        *topics_in(artifact.source_text, names),
    ]
    return list(dict.fromkeys(t for t in found if t.strip()))


def assess(artifact: Artifact, persona: Persona, soft: Score, ctx: Context) -> Verdict:
    """Combine a soft score with the hard rules and route the result."""
    reasons = list(soft.reasons)
    confidence = soft.confidence if _valid(soft.confidence) else -1.0
    risk = risk_slug(soft.risk_category.rsplit("_", 1)[0], soft.risk_category.rsplit("_", 1)[-1])
    if not _valid(soft.confidence):
        reasons.append("Judge score missing or invalid; failing closed.")
    failures, high_risk = hard_failures(artifact, persona)
    sensitive = sensitive_topics(artifact, persona, soft)
    if failures:
        reasons.extend(failures)
        confidence, risk, decision = min(confidence, 0.3), high_risk or "policy_high", "reject"
    else:
        if sensitive and "high" not in risk:
            risk = risk_slug(sensitive[0], "medium")
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
        risk_category=risk[:80],
        reasons=[r[:200] for r in reasons][:20] or ["Meets persona, platform and safety rules."],
        sensitive_topics=[s[:200] for s in sensitive][:20],
    )
