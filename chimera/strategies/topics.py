"""Topic lexicons and injection rules: the fast, explainable half of risk detection.

A persona names topics in words ("politics", "explicit content"); each known name maps to a
lexicon of whole words that mean that topic in any context, and an unknown name is matched as a
phrase of its own. Words that are also everyday fashion or gadget talk ("vote" in a poll,
"stock" arriving, "returns", "shoot", "party") are kept apart in `AMBIGUOUS`: they count only
when the semantic detector (chimera/strategies/risk.py) agrees the text is about the topic.
"""

from __future__ import annotations

import re
from functools import lru_cache

from chimera.platform.untrusted import looks_injected, normalise
from chimera.strategies.topic_prototypes import POLITICAL_NAMES

SENSITIVE_DEFAULT = ("politics", "health", "finance", "minors", "religion", "legal", "gambling")
"""Topics that always go to human review (CONTRACTS §10.5)."""

LEXICON: dict[str, tuple[str, ...]] = {
    "politics": (
        "politics",
        "political",
        "politician",
        "politicians",
        "election",
        "elections",
        "government",
        "president",
        "presidential",
        "parliament",
        "prime minister",
        "senate",
        "senator",
        "governor",
        "referendum",
        "party politics",
        "ruling party",
        "opposition party",
        "opposition leader",
        "protest",
        "regime",
        "ballot",
        "ballots",
        "ballot box",
        "to the polls",
        "polling station",
        "polling stations",
        "ፖለቲካ",
        "መንግስት",
        "ጠቅላይ ሚኒስትር",
    ),
    "health": (
        "health",
        "medical",
        "medicine",
        "doctor",
        "diet",
        "disease",
        "diagnosis",
        "supplement",
        "weight loss",
        "lose weight",
        "መድሃኒት",
    ),
    "finance": (
        "finance",
        "financial",
        "investing",
        "investments",
        "savings",
        "stocks",
        "loan",
        "loans",
        "trading",
        "interest rate",
        "index funds",
    ),
    "crypto": ("crypto", "bitcoin", "nft", "defi", "ethereum", "memecoin", "meme coin"),
    "minors": ("minor", "minors", "kids", "children", "child", "teen", "teens", "underage"),
    "religion": ("religion", "religious", "church", "mosque", "ramadan"),
    "legal": ("legal", "lawsuit", "lawyer", "illegal"),
    "explicit content": (
        "explicit",
        "nsfw",
        "nude",
        "nudes",
        "nudity",
        "adult content",
        "adults only",
        "porn",
        "naked",
        "onlyfans",
        "xxx",
    ),
    "gambling": ("gambling", "gamble", "betting", "casino", "sportsbook", "wager", "wagers"),
}
LEXICON["politics"] += POLITICAL_NAMES
LEXICON["medical"] = LEXICON["health"]

AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "politics": (
        "vote",
        "votes",
        "voted",
        "voting",
        "party",
        "campaign",
        "executive",
        "candidate",
        "ምርጫ",
        "ፓርቲ",
    ),
    "finance": ("invest", "investment", "shares", "stock", "returns", "bank", "money"),
    "crypto": ("coin", "coins", "token", "tokens", "wallet"),
    "health": ("cure", "detox", "fat"),
    "religion": ("god", "faith"),
    "legal": ("court", "sue", "law"),
    "explicit content": ("sexy", "steamy", "spicy", "sheer"),
    "gambling": ("bet", "odds", "jackpot"),
}
"""Words that name a topic only in some contexts: they need semantic agreement."""

_INJECTION_RULES: tuple[tuple[str, str], ...] = (
    (
        "overrides its instructions",
        r"\b(ignore|disregard|forget|overwrite|override|bypass)\b"
        r"[^.!?\n]{0,40}\b(rules|instructions|directions|guidelines|directives|persona|policy|"
        r"everything you (were|have been) told|what you were told)",
    ),
    (
        "claims a system or admin role",
        r"^\s*(system|admin|developer|assistant)\s*:|\[(system|"
        r"admin|developer)\]|<!--|\bas your (developer|creator|owner|admin)\b"
        r"|\byour operator says\b",
    ),
    (
        "gives the agent a new task",
        r"\b(new (task|instructions?|role) for you|new instructions?\s*:|your new (rule|job|task|"
        r"instructions?)|from now on,? (you|your)|you (are|must) now|you're (now|dan)\b|"
        r"act as my\b|pretend (you are|to be)|jailbreak)",
    ),
    (
        "asks for secrets",
        r"\b(reveal|repeat|print|share|show)\b[^.!?\n]{0,40}\b(system prompt|"
        r"hidden prompt|api keys?|password|private key|seed phrase|secret)",
    ),
    (
        "dictates the reply",
        r"\b(the next reply must|in (every|your next) (reply|tweet|post)|"
        r"(reply|respond|answer) (only )?with (the|my|this)|tweet that)\b",
    ),
    ("asks to move money", r"\bsend (all )?(the )?(funds|money|\d+(\.\d+)? ?(usdc|eth|btc))\b"),
    ("addresses the model", r"\bsystem prompt\b|\bdisregard\b.*\binstructions\b"),
)
INJECTION = re.compile("|".join(f"(?:{p})" for _, p in _INJECTION_RULES), re.I | re.M)
"""Any injection rule (kept for callers that want one pattern)."""


def _phrase_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # \b does not bound Ethiopic script, so non-Latin words match as substrings.
    latin = [w for w in words if w.isascii()]
    other = [w for w in words if not w.isascii()]
    parts = []
    if latin:
        parts.append(r"\b(?:" + "|".join(re.escape(w) for w in latin) + r")\b")
    if other:
        parts.append("(?:" + "|".join(re.escape(w) for w in other) + ")")
    return re.compile("|".join(parts) or r"(?!x)x", re.I)


@lru_cache(maxsize=256)
def _pattern(topic: str) -> re.Pattern[str]:
    return _phrase_pattern(LEXICON.get(topic.lower(), (topic.lower(),)))


@lru_cache(maxsize=256)
def _ambiguous(topic: str) -> re.Pattern[str]:
    return _phrase_pattern(AMBIGUOUS.get(topic.lower(), ()))


def topics_in(text: str, topics: tuple[str, ...] | list[str]) -> list[str]:
    """The topics of `topics` that `text` names unambiguously, in the given order."""
    return [t for t in topics if _pattern(t).search(text)]


def ambiguous_in(text: str, topics: tuple[str, ...] | list[str]) -> list[str]:
    """The topics of `topics` that `text` may mean through a word with an everyday sense too."""
    return [t for t in topics if _ambiguous(t).search(text)]


def injection_reasons(text: str) -> list[str]:
    """Why untrusted text reads as instructions to the agent (empty: it does not)."""
    return [why for why, pattern in _INJECTION_RULES if re.search(pattern, text, re.I | re.M)]


def looks_like_injection(text: str) -> bool:
    """Whether untrusted text tries to instruct the agent.

    The text is normalised first (NFKC, zero-width and bidi controls removed, homoglyphs
    folded), so hidden characters cannot split a trigger word (`chimera.platform.untrusted`).
    """
    return looks_injected(text) or bool(INJECTION.search(normalise(text)))
