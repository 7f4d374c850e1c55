"""Topic lexicons for policy checks: sensitive topics force review, forbidden ones reject.

A persona names topics in words ("politics", "explicit content"); each known name maps to a
lexicon of whole words, and an unknown name is matched as a phrase of its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from chimera.platform.untrusted import looks_injected, normalise

SENSITIVE_DEFAULT = ("politics", "health", "finance", "minors", "religion", "legal")
"""Topics that always go to human review (CONTRACTS §10.5)."""

LEXICON: dict[str, tuple[str, ...]] = {
    "politics": (
        "politics",
        "political",
        "election",
        "elections",
        "vote",
        "voting",
        "government",
        "president",
        "parliament",
        "prime minister",
        "party politics",
        "protest",
    ),
    "health": (
        "health",
        "medical",
        "medicine",
        "doctor",
        "diet",
        "cure",
        "disease",
        "diagnosis",
        "supplement",
        "weight loss",
    ),
    "finance": (
        "finance",
        "financial",
        "invest",
        "investing",
        "investment",
        "investments",
        "savings",
        "shares",
        "stock",
        "stocks",
        "crypto",
        "loan",
        "trading",
        "returns",
    ),
    "crypto": ("crypto", "bitcoin", "token", "tokens", "coin", "nft", "defi"),
    "minors": ("minor", "minors", "kids", "children", "child", "teen", "teens", "underage"),
    "religion": ("religion", "religious", "church", "mosque", "faith", "god"),
    "legal": ("legal", "lawsuit", "court", "lawyer", "sue", "illegal"),
    "explicit content": ("explicit", "nsfw", "nude", "nudity", "porn"),
    "gambling": ("gambling", "gamble", "betting", "bet", "casino", "odds"),
}
LEXICON["medical"] = LEXICON["health"]

INJECTION = re.compile(
    r"ignore (all |your |previous )*(rules|instructions)|send (all )?funds|disregard .*instructions"
    r"|you are now|system prompt",
    re.I,
)


@lru_cache(maxsize=256)
def _pattern(topic: str) -> re.Pattern[str]:
    words = LEXICON.get(topic.lower(), (topic.lower(),))
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.I)


def topics_in(text: str, topics: tuple[str, ...] | list[str]) -> list[str]:
    """The topics of `topics` that `text` touches, in the given order."""
    return [t for t in topics if _pattern(t).search(text)]


def looks_like_injection(text: str) -> bool:
    """Whether untrusted text tries to instruct the agent.

    The text is normalised first (NFKC, zero-width and bidi controls removed, homoglyphs
    folded), so hidden characters cannot split a trigger word (`chimera.platform.untrusted`).
    """
    return looks_injected(text) or bool(INJECTION.search(normalise(text)))
