"""The Unicode normalisation every piece of outside text gets before any check.

It lives in the vocabulary so contracts (goals, operator text) and the floor's quarantine
(`chimera.platform.untrusted`) share one implementation: NFKC, terminal escape sequences,
zero-width, bidi and other format and control characters removed, whitespace collapsed.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")
_SPACES = re.compile(r"[ \t]+")
_BREAKS = "\n\r\t\v\f"
_DROPPED = {"Cc", "Cf", "Cs", "Co", "Cn"}


def normalise(text: str) -> str:
    """NFKC, then zero-width/bidi/format and control characters removed, spaces collapsed.

    Line breaks and tabs become spaces: outside text is one line wherever Chimera shows it.
    """
    text = _INVISIBLE.sub("", _ANSI.sub("", unicodedata.normalize("NFKC", text)))
    kept = (
        " " if ch in _BREAKS else ch
        for ch in text
        if ch in _BREAKS or unicodedata.category(ch) not in _DROPPED
    )
    return _SPACES.sub(" ", "".join(kept)).strip()
