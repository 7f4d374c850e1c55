"""The recipient's judge of a collaboration proposal: niche fit, value exchange, reputation.

Deterministic, like the other default strategies. The proposal's free text is untrusted data:
it is only split into words and compared with the persona, never followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chimera.strategies.relevance import niche_words
from state.persona import Persona

_SPLIT = re.compile(r"[^a-z0-9]+")
ACCEPT_AT = 0.6
MIN_SHARE = 40
"""Smallest share of the revenue (percent) this agent accepts."""
MIN_REPUTATION = 0.5


@dataclass(frozen=True)
class CollabVerdict:
    """The judge's decision, its score in [0, 1] and why."""

    verdict: str
    score: float
    reasons: list[str]


def judge_proposal(proposal: dict[str, Any], persona: Persona, reputation: float) -> CollabVerdict:
    """Score niche fit (0.4), value exchange (0.3) and sender reputation (0.3)."""
    text = " ".join([proposal["campaign_idea"], *proposal["content_types"]]).lower()
    words = {w for w in _SPLIT.split(text) if len(w) > 3}
    fit = 1.0 if words & niche_words(persona) else 0.0
    split = proposal["value_exchange"]["revenue_split"].split("-")
    ours = int(split[-1]) if len(split) == 2 else 0
    value = (1.0 if ours >= MIN_SHARE else 0.0) * (
        1.0 if proposal["value_exchange"]["on_chain_tracking"] else 0.5
    )
    rep = min(1.0, max(0.0, reputation))
    score = round(0.4 * fit + 0.3 * value + 0.3 * rep, 4)
    reasons = [
        f"niche fit {'yes' if fit else 'no'}",
        f"our share {ours}% ({'ok' if ours >= MIN_SHARE else f'under {MIN_SHARE}%'})",
        f"sender reputation {rep:.2f}",
    ]
    hard_no = rep < MIN_REPUTATION / 2 or ours < MIN_SHARE
    verdict = "accept" if score >= ACCEPT_AT and not hard_no else "reject"
    return CollabVerdict(verdict, score, reasons)
