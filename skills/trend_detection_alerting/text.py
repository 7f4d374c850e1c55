"""Normalising untrusted feed and mention text into comparable keyword sets.

Items are data, never instructions: normalisation only lowercases, strips markup noise and
splits words; text that tries to steer the agent is recognised (and later flagged) here too.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime

from chimera.platform.untrusted import normalise, safe_label, strip_links
from chimera.strategies.topics import looks_like_injection

_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
_NOISE = re.compile(r"https?://\S+|[@#][\w.]+|&\w+;|<[^>]+>")
_STOP_TEXT = """
    a an and are as at be been but by can could did do does for from had has have he her his
    how i if in into is it its just more most my new news no not now of off on one or our out over
    own so some such than that the their them then there these they this those through to too up
    us very was we were what when where which while who why will with would you your yours also
    about after again all am any because before being both down during each few further here
    just once only other same should under until what whats get got let lets like really much
    many every next week today this morning first last ahead"""
STOPWORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True, slots=True)
class Item:
    """One windowed, normalised item of a resource."""

    resource: str
    text: str
    """The original text (title + summary, or the mention), for excerpts."""
    timestamp: datetime
    words: tuple[str, ...]
    """Normalised content words, in order."""
    tags: frozenset[str]
    injected: bool
    """Whether the text tries to instruct the agent (then it is flagged, never clustered)."""


def words_of(text: str) -> tuple[str, ...]:
    """Lowercased content words of `text`, without links, handles, markup and stopwords."""
    cleaned = _NOISE.sub(" ", text.lower())
    return tuple(w for w in _WORD.findall(cleaned) if len(w) > 2 and w not in STOPWORDS)


def phrases_of(words: tuple[str, ...]) -> set[str]:
    """Candidate topic keys of one item: its content words and adjacent word pairs."""
    pairs = {f"{a}-{b}" for a, b in itertools.pairwise(words) if a != b}
    return set(words) | pairs


def make_item(
    resource: str, text: str, timestamp: datetime, tags: list[str] | tuple[str, ...] = ()
) -> Item:
    """Normalise one raw item (Unicode first: hidden characters cannot hide a trigger word).

    Categories become tags only as checked labels, and an item whose categories try to
    instruct the agent is flagged like one whose text does.
    """
    clean = normalise(text)
    return Item(
        resource=resource,
        text=clean,
        timestamp=timestamp,
        words=words_of(strip_links(clean)),
        tags=frozenset(label for t in tags if (label := safe_label(t))),
        injected=looks_like_injection(" ".join([clean, *tags])),
    )
