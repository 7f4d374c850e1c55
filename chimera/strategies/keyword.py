"""The keyword judge shipped before semantic risk detection: the baseline it is measured against.

A frozen copy of the old rules (whole-word topic lexicons, one injection regex) and the old
scorer (0.96 minus 0.12 for no voice word, minus 0.12 for no goal word), routed by the same
`routing.route`, so both judges' figures can be printed on one set. Not used by campaigns.
"""

from __future__ import annotations

import re

from chimera.strategies.routing import route
from chimera.strategies.scorer import content_words
from chimera.strategies.writer import limit_for
from state.context import Context
from state.contracts import Artifact, Task
from state.persona import Persona
from state.records import Verdict

SENSITIVE = ("politics", "health", "finance", "minors", "religion", "legal")
LEXICON: dict[str, tuple[str, ...]] = {
    "politics": ("politics", "political", "election", "elections", "vote", "voting",
                 "government", "president", "parliament", "prime minister", "party politics",
                 "protest"),
    "health": ("health", "medical", "medicine", "doctor", "diet", "cure", "disease",
               "diagnosis", "supplement", "weight loss"),
    "finance": ("finance", "financial", "invest", "investing", "investment", "investments",
                "savings", "shares", "stock", "stocks", "crypto", "loan", "trading", "returns"),
    "crypto": ("crypto", "bitcoin", "token", "tokens", "coin", "nft", "defi"),
    "minors": ("minor", "minors", "kids", "children", "child", "teen", "teens", "underage"),
    "religion": ("religion", "religious", "church", "mosque", "faith", "god"),
    "legal": ("legal", "lawsuit", "court", "lawyer", "sue", "illegal"),
    "explicit content": ("explicit", "nsfw", "nude", "nudity", "porn"),
    "gambling": ("gambling", "gamble", "betting", "bet", "casino", "odds"),
}  # fmt: skip
INJECTION = re.compile(
    r"ignore (all |your |previous )*(rules|instructions)|send (all )?funds|disregard .*instructions"
    r"|you are now|system prompt",
    re.I,
)


def topics_in(text: str, topics: list[str] | tuple[str, ...]) -> list[str]:
    """The old whole-word lexicon match."""
    found = []
    for topic in topics:
        words = LEXICON.get(topic.lower(), (topic.lower(),))
        if re.search(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", text, re.I):
            found.append(topic)
    return found


def old_confidence(task: Task, persona: Persona, text: str) -> tuple[float, list[str]]:
    """The old heuristic score: 0.96 less 0.12 per missing voice marker or goal word."""
    confidence, reasons = 0.96, []
    markers = [w.lower() for w in persona.voice_words] + [h.lower() for h in persona.hashtags]
    if task.task_type == "publish_post":
        if not any(m in text.lower() for m in markers):
            confidence -= 0.12
            reasons.append("Draft does not use the persona's voice words or hashtags.")
        if not content_words(task.goal.goal_description) & content_words(text):
            confidence -= 0.12
            reasons.append("Draft does not reflect the campaign goal.")
    return confidence, reasons


class KeywordJudge:
    """The old judge end to end: score, keyword policy, routing."""

    name = "keyword-judge-v1"

    def judge(self, task: Task, artifact: Artifact, persona: Persona, ctx: Context) -> Verdict:
        """Route one draft the way the keyword judge did."""
        text, source = artifact.payload.text, artifact.source_text
        confidence, reasons = old_confidence(task, persona, text)
        failed = len(text) > limit_for(artifact.payload.platform)
        failed |= persona.disclosure.label.lower() not in text.lower()
        failed |= bool(topics_in(text, persona.forbidden_topics))
        failed |= bool(topics_in(source, persona.forbidden_topics))
        failed |= bool(INJECTION.search(source))
        names = tuple(dict.fromkeys([*SENSITIVE, *persona.sensitive_topics]))
        sensitive = list(dict.fromkeys([*topics_in(text, names), *topics_in(source, names)]))
        if failed:
            confidence, decision = min(confidence, 0.3), "reject"
        else:
            decision = route(
                confidence,
                "brand_safety_low",
                sensitive=bool(sensitive),
                approve_threshold=ctx.approve_threshold,
                review_threshold=ctx.review_threshold,
            )
        return Verdict(
            task_id=artifact.task_id,
            artifact_id=artifact.artifact_id,
            decision=decision,
            confidence=round(confidence, 4),
            risk_category="brand_safety_high" if failed else "brand_safety_low",
            reasons=reasons,
            sensitive_topics=sensitive,
        )
