"""Hard policy checks applied to every draft after soft scoring (fail closed).

A hard failure rejects whatever the score and the campaign's thresholds: over the platform
limit, missing AI disclosure, a sponsored post without its paid-partnership tag (`#ad`), a
forbidden topic in the draft or in the text it answers, or untrusted text that tries to instruct
the agent, a wallet address, seed phrase or payment request in the draft (`risk.money_talk`).
`publish_violations` applies the same text rules at publish time, whoever wrote the text.
Forbidden and sensitive topics come from the topic lexicon and, when the scorer or the judge
ran the risk detector, from its semantic findings (`Score.findings`). Otherwise a sensitive
topic in the draft or its source forces human review, and the thresholds route the rest.
"""

from __future__ import annotations

import math
import re

from chimera.platform.untrusted import has_links, normalise
from chimera.strategies.base import Score
from chimera.strategies.risk import RiskReport, money_talk
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


ALWAYS_FORBIDDEN = ("explicit content",)
"""Forbidden for every persona, whatever its SOUL.md says (brand-safety floor)."""


def forbidden_topics(persona: Persona) -> list[str]:
    """The persona's forbidden topics plus the ones forbidden to every persona."""
    lowered = {t.lower() for t in persona.forbidden_topics}
    return [*persona.forbidden_topics, *(t for t in ALWAYS_FORBIDDEN if t not in lowered)]


def _forbidden(text: str, extra: tuple[str, ...], persona: Persona) -> list[str]:
    names, wanted = forbidden_topics(persona), {t.lower() for t in extra}
    return list(
        dict.fromkeys([*topics_in(text, names), *(t for t in names if t.lower() in wanted)])
    )


def hard_failures(
    artifact: Artifact, persona: Persona, findings: RiskReport | None = None
) -> tuple[list[str], str | None]:
    """Reasons that reject a draft outright, and the high-risk label if one applies."""
    text, source, platform = artifact.payload.text, artifact.source_text, artifact.payload.platform
    found = findings or RiskReport()
    reasons = text_failures(text, platform, persona, found.draft_topics)
    risk = "brand_safety_high" if _forbidden(text, found.draft_topics, persona) else None
    if forbidden_source := _forbidden(source, found.source_topics, persona):
        reasons.append(f"Answers a message about forbidden topics: {', '.join(forbidden_source)}.")
        risk = "brand_safety_high"
    if media_failures := unverified_media(artifact, persona):
        reasons.extend(media_failures)
        risk = "brand_safety_high"
    if looks_like_injection(source) or found.injection:
        reasons.append("Source text tries to instruct the agent; treated as data, not answered.")
        risk = "prompt_injection_high"
    if money := money_talk(text):
        reasons.extend(money)
        risk = "payment_high"
    if foreign_links(text, persona):
        reasons.append("Carries a link, domain, handle or address the persona did not write.")
        risk = risk or "prompt_injection_high"
    return reasons, risk


def text_failures(
    text: str, platform: str, persona: Persona, draft_topics: tuple[str, ...] = ()
) -> list[str]:
    """Reasons the text itself breaks policy: length, disclosures, forbidden topics.

    The disclosures are the AI label when the persona discloses and, for a sponsored campaign,
    the paid-partnership tag (`#ad` as a word). Also the check a reviewer's edit must pass
    before it is submitted (the console's edit form). `draft_topics` are topics the semantic
    detector found in the text.
    """
    reasons: list[str] = []
    if len(text) > limit_for(platform):
        reasons.append(f"Over the {platform} length limit ({len(text)} > {limit_for(platform)}).")
    if persona.disclosure.ai_generated and persona.disclosure.label.lower() not in text.lower():
        reasons.append(f"Missing AI disclosure ({persona.disclosure.label}).")
    if forbidden := _forbidden(text, draft_topics, persona):
        reasons.append(f"Touches forbidden topics: {', '.join(forbidden)}.")
    if persona.disclosure.sponsor and not _AD.search(text):
        reasons.append(
            f"Sponsored by {persona.disclosure.sponsor} but missing the paid-partnership"
            f" disclosure ({AD_TAG})."
        )
    return reasons


def foreign_links(text: str, persona: Persona) -> bool:
    """Whether a draft carries a link, domain, handle or wallet address not of the persona.

    Such strings can only come from untrusted text (specs/security.md §4.2): never published.
    """
    own = [persona.call_to_action, persona.disclosure.label, persona.tone_notes, *persona.hashtags]
    rest = normalise(text)
    for trusted in sorted((normalise(t) for t in own if t), key=len, reverse=True):
        rest = rest.replace(trusted, " ")
    return has_links(rest)


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
    semantic = soft.findings.topics() if soft.findings else []
    lowered = {n.lower(): n for n in names}
    found = [
        *soft.sensitive_topics,
        *(lowered[t] for t in semantic if t in lowered),
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
    failures, high_risk = hard_failures(artifact, persona, soft.findings)
    sensitive = sensitive_topics(artifact, persona, soft)
    if failures:
        reasons.extend(failures)
        # scaled, not clamped: a rejected draft keeps the order the scorer gave it
        confidence = 0.3 * confidence if confidence > 0 else confidence
        risk, decision = high_risk or "policy_high", "reject"
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


def publish_violations(text: str, persona: Persona, platform: str, source: str = "") -> list[str]:
    """Why `text` must not be published under `persona`'s current policy (empty: it may).

    The last gate before a post or reply leaves, whoever wrote it (writer, model, a reviewer's
    edit, an earlier decision reused): platform limit, AI and sponsor disclosure, forbidden
    topics in the text or in the message it answers, untrusted instructions in either, and
    money talk (the judge's own rules: `text_failures`, `risk.money_talk`).

    Args:
        text: The exact text about to be published.
        persona: The persona with the campaign's current policy applied.
        platform: The platform it goes to (its length limit).
        source: The untrusted text it answers ("" for a post).

    Returns:
        One readable reason per violated rule.

    """
    reasons = text_failures(text, platform, persona)
    if forbidden_source := _forbidden(source, (), persona):
        reasons.append(f"Answers a message about forbidden topics: {', '.join(forbidden_source)}.")
    if looks_like_injection(text) or looks_like_injection(source):
        reasons.append("Echoes or answers untrusted instructions; treated as data, not published.")
    return reasons + money_talk(text)
