"""From intent to action: which facts ground an answer, what to do, and in which order.

A product question is answered only from facts that name what it asks about (the persona's
`## Knowledge` and the agent's `fact` memories); without one, policy says defer (an honest reply
that guesses nothing) or escalate. Complaints and sensitive topics go to a human by default;
injection, spam and forbidden topics are ignored with a reason.
"""

from __future__ import annotations

import re

from chimera.strategies.intents import aspects_of
from state.context import Context
from state.engagement import Action, Intent, IntentVerdict

MAX_FACTS = 3
PRIORITY: dict[Intent, float] = {
    Intent.COMPLAINT: 0.9,
    Intent.SENSITIVE: 0.85,
    Intent.PRODUCT_QUESTION: 0.8,
    Intent.COMPLIMENT: 0.5,
    Intent.OTHER: 0.2,
}
"""Who is answered first when the cadence cannot answer everyone (ignored intents cost nothing)."""
_IGNORED: dict[Intent, str] = {
    Intent.INJECTION: "injection",
    Intent.SPAM: "spam",
    Intent.FORBIDDEN: "off-topic",
    Intent.OTHER: "off-topic",
}
_WORD = re.compile(r"[a-z0-9]{3,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "you",
        "your",
        "are",
        "was",
        "what",
        "which",
        "where",
        "when",
        "does",
        "can",
        "could",
        "should",
        "with",
        "this",
        "that",
        "from",
        "have",
        "about",
        "into",
        "just",
        "one",
        "any",
        "how",
        "who",
    ]
)


def _stems(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in _STOP}


def relevant_facts(question: str, facts: list[str], limit: int = MAX_FACTS) -> list[str]:
    """The facts naming an aspect the question asks about (else sharing two content words).

    Args:
        question: The mention text.
        facts: Candidate facts (knowledge bullets, then fact memories).
        limit: Most facts returned.

    Returns:
        The relevant facts, most relevant first (ties keep the given order).

    """
    asked, words = set(aspects_of(question)), _stems(question)
    scored = []
    for index, fact in enumerate(dict.fromkeys(f.strip() for f in facts if f.strip())):
        label = fact.split(":", 1)[0] if ":" in fact[:40] else ""
        shared = len(asked & set(aspects_of(fact)))
        named = len(asked & set(aspects_of(label))) if label else 0
        overlap = len(words & _stems(fact))
        # A question naming aspects is answered only by facts about them; otherwise by topic.
        if shared or (not asked and overlap >= 2):
            scored.append((-(2 * named + shared + 0.1 * overlap), index, fact))
    return [fact for *_, fact in sorted(scored)[:limit]]


def decide(verdict: IntentVerdict, facts: list[str], ctx: Context) -> tuple[Action, str]:
    """The action for a classified mention and the reason recorded with it.

    Args:
        verdict: The mention's intent.
        facts: The facts relevant to it (only product questions use them).
        ctx: The run's effective settings (complaint and unanswered-question policy).

    Returns:
        The action and its reason.

    """
    intent = verdict.intent
    if intent in _IGNORED:
        return "ignore", _IGNORED[intent]
    if intent == Intent.SENSITIVE:
        return "escalate", f"sensitive topic: {verdict.topic or 'unspecified'}"
    if intent == Intent.COMPLAINT:
        if ctx.complaint_action == "escalate":
            return "escalate", "complaint: a human answers"
        return "reply", "complaint: acknowledged"
    if intent == Intent.PRODUCT_QUESTION:
        if facts:
            return "reply", "answered from facts"
        if ctx.unanswered_action == "escalate":
            return "escalate", "no fact answers it"
        return "reply", "no fact answers it: honest deferral"
    return "reply", "thanks"


def priority(intent: Intent, created_at: str) -> float:
    """The mention's rank: intent first, then newer before older."""
    digits = re.sub(r"\D", "", created_at)[:12] or "0"
    return PRIORITY.get(intent, 0.0) + int(digits) / 1e13
