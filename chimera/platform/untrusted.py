"""The one normaliser and quarantine for text Chimera did not write (specs/security.md §4).

Mentions, author handles, feed titles, summaries and categories, other agents' signals, tool
results, goals and operator text all pass through here before any check: Unicode NFKC, then
zero-width, bidi and other control characters removed, so a check sees what a reader sees.
Injection detection runs on that normalised text and on a folded skeleton (homoglyphs mapped
to Latin, separators inside words removed) so `i​gnore`, `ıgnore` and `i-g-n-o-r-e` all match.
Links, domains, handles and wallet addresses are stripped from anything that may be quoted or
become a label; servers may import this module too (it is part of the floor).
"""

from __future__ import annotations

import re
import unicodedata

from state.text import normalise

__all__ = [
    "has_links",
    "looks_injected",
    "normalise",
    "quote",
    "safe_label",
    "skeleton",
    "strip_links",
]

_SPACES = re.compile(r"[ \t]+")
_HOMOGLYPHS = str.maketrans(
    "аеорсухіјѕԁԛԝӏɑαєοрτυνκιϲıⅰⅼ",
    "aeopcyxijsdqwlaaeoptuvkicili",
)
# Digits stay digits in the skeleton except where leetspeak spells a word: mapped below.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"})

URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.I)
DOMAIN = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b(?:/\S*)?", re.I)
HANDLE = re.compile(r"(?<![\w.])@[\w.]+")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b|\b(?:bc1|[13])[a-km-zA-HJ-NP-Z1-9]{25,39}\b")

_PHRASES = (
    r"ignore\W*(?:\w+\W+){0,3}(?:rules?|instructions?|prompts?|guidelines|above|everything)",
    r"disregard\W*(?:\w+\W+){0,3}(?:rules?|instructions?|prompts?|above)",
    r"forget\W*(?:\w+\W+){0,3}(?:rules?|instructions?|prompts?)",
    r"override\W*(?:\w+\W+){0,2}(?:rules?|instructions?|safety)",
    r"you are now|act as (?:an? )?(?:admin|developer|dan)|system prompt|jailbreak",
    r"new instructions?\s*:|\bpwned\b|developer mode",
    r"send\W+(?:\w+\W+){0,3}(?:usdc|eth|btc|funds|money|crypto|tokens?)",
    r"(?:transfer|wire|pay)\W+(?:\w+\W+){0,3}(?:usdc|eth|funds|wallet)",
    r"(?:post|write|say|reply|tweet)\W+(?:\w+\W+){0,2}(?:exactly|verbatim)",
    r"free\W+(?:usdc|eth|crypto|tokens?|airdrop)|airdrop|giveaway\W+(?:\w+\W+){0,2}wallet",
    # Other languages: French, Spanish, Portuguese, German, Italian, Swahili, Amharic, Arabic,
    # Chinese, Russian, Hindi, Yoruba.
    r"ignore[rz]?\W+(?:\w+\W+){0,2}(?:instructions|r[eè]gles|consignes)",
    r"ignora\W+(?:\w+\W+){0,2}(?:instrucciones|reglas|istruzioni|regole)",
    r"ignore\W+as\W+(?:\w+\W+){0,1}instru[cç][oõ]es",
    r"ignoriere?\W+(?:\w+\W+){0,2}(?:anweisungen|regeln)",
    r"puuza\W+(?:\w+\W+){0,2}maagizo",
    r"መመሪያ\w*\s*(?:\S+\s+){0,2}ችላ|ችላ\s*በ[ሉል]",
    r"تجاهل\s+(?:\S+\s+){0,2}(?:التعليمات|القواعد)",
    r"忽略.{0,6}(?:指令|指示|规则)|无视.{0,6}(?:指令|规则)",
    r"игнорируй\w*\s+(?:\S+\s+){0,2}(?:инструкции|правила)",
    r"निर्देशों\s+को\s+(?:\S+\s+){0,1}(?:अनदेखा|नज़रअंदाज़)",
    r"fojufo\s+(?:\S+\s+){0,2}(?:ofin|ilana)",
)
INJECTION = re.compile("|".join(f"(?:{p})" for p in _PHRASES), re.I)
_SQUASHED = re.compile(
    r"ignore(?:all|your|previous|the|above|prior|my)*(?:rules|instructions|prompt)"
    r"|disregard(?:all|your|previous|the|above|prior)*(?:rules|instructions)"
    r"|systemprompt|youarenow|pwned|sendallfunds|newinstructions",
)


def skeleton(text: str) -> str:
    """The normalised text folded for matching: lowercase, homoglyphs and accents to Latin."""
    folded = normalise(text).lower().translate(_HOMOGLYPHS)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def looks_injected(text: str) -> bool:
    """Whether untrusted text tries to instruct the agent (checked on the normalised text)."""
    folded = skeleton(text)
    if INJECTION.search(normalise(text)) or INJECTION.search(folded):
        return True
    squashed = re.sub(r"[\W_]+", "", folded.translate(_LEET))
    return bool(_SQUASHED.search(squashed))


def strip_links(text: str) -> str:
    """Normalised text without URLs, e-mails, domains, handles and wallet addresses."""
    text = normalise(text)
    for pattern in (URL, EMAIL, ADDRESS, DOMAIN, HANDLE):
        text = pattern.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def has_links(text: str) -> bool:
    """Whether text carries a URL, e-mail, domain, handle or wallet address."""
    text = normalise(text)
    return any(p.search(text) for p in (URL, EMAIL, ADDRESS, DOMAIN, HANDLE))


def quote(text: str, words: int = 8) -> str:
    """A short, sanitised quote of untrusted text, or "" when it must not be quoted at all."""
    if looks_injected(text):
        return ""
    parts = strip_links(text).replace("“", "").replace("”", "").replace('"', "").split()
    head = " ".join(parts[:words]).rstrip(",;:")
    return head + ("…" if len(parts) > words else "")


_LABEL = re.compile(r"^[^\W\d_][\w-]*(?: [\w-]+){0,2}$")


def safe_label(text: str) -> str | None:
    """Untrusted text usable as a keyword, angle or trend label, or None.

    A label is at most three words of letters, digits and hyphens, with no link, domain,
    handle or address, and no instruction.
    """
    label = normalise(text).strip().lower()
    if not label or len(label) > 40 or has_links(label) or looks_injected(label):
        return None
    return label if _LABEL.match(label) else None
