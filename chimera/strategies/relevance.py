"""How relevant a trend is to an agent: a deterministic niche match, or a cheap LLM when set.

The perception loop compares this to the campaign's `relevance_threshold`. Trend samples are
untrusted text: the LLM prompt quotes them as data, and any unparsable answer scores 0.0 (fail
closed), so an injected sample can at most make an alert be ignored.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Protocol

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from chimera.strategies import prompts
from chimera.strategies.llm import StructuredMethod, ask
from chimera.strategies.prompts import fence
from state.contracts import Trend
from state.persona import Persona

OFF_NICHE_FACTOR = 0.5
"""A trend sharing no word with the persona's niche keeps this share of its score."""
_SPLIT = re.compile(r"[^a-z0-9]+")


class RelevanceAnswer(BaseModel):
    """The model's answer."""

    relevance: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class Relevance(Protocol):
    """Trend + persona -> relevance in [0, 1]."""

    name: str

    async def relevance(self, trend: Trend, persona: Persona) -> float:
        """Score a trend for a persona."""
        ...


def niche_words(persona: Persona) -> set[str]:
    """Words of the persona's niche, topics, hashtags and tone notes."""
    text = " ".join([*persona.niche, *persona.topics, *persona.hashtags, persona.tone_notes])
    text = text.lower()
    return {w for w in _SPLIT.split(text) if len(w) > 3}


class NicheRelevance:
    """Deterministic: the trend's score, halved when it shares no word with the niche.

    The trend's words are its topic, its tags and the resources it was seen in: a trend found in
    the persona's own niche feed (`news://ethiopia/fashion/...`) is on-niche by construction.
    """

    name = "niche-match-v1"

    async def relevance(self, trend: Trend, persona: Persona) -> float:
        """Score without any model."""
        words = set(trend.topic.split("-")) | {t for tag in trend.tags for t in _SPLIT.split(tag)}
        words |= {w for s in trend.supporting_samples for w in _SPLIT.split(s.resource.lower())}
        factor = 1.0 if words & niche_words(persona) else OFF_NICHE_FACTOR
        return round(trend.score * factor, 4)


class LlmRelevance:
    """A (cheap) chat model's judgement; failures score 0.0."""

    def __init__(self, model: BaseChatModel, name: str, method: StructuredMethod = "auto") -> None:
        self.model, self.name, self.method = model, f"llm-relevance:{name}", method

    async def relevance(self, trend: Trend, persona: Persona) -> float:
        """Ask the model; anything but a valid number in [0, 1] is 0.0."""
        samples = [s.excerpt[:200] for s in trend.supporting_samples[:5]]
        try:
            answer = await ask(
                self.model,
                prompts.RELEVANCE,
                RelevanceAnswer,
                self.method,
                name=persona.name,
                niche=", ".join(persona.niche),
                topics=", ".join(persona.topics),
                topic=trend.topic,
                tags=", ".join(trend.tags),
                score=trend.score,
                samples=fence(samples) if samples else "none",
            )
        except (OutputParserException, ValueError):
            return 0.0
        return 0.0 if math.isnan(answer.relevance) else float(answer.relevance)


def relevance_for(
    model: BaseChatModel | None, name: str = "", method: StructuredMethod = "auto"
) -> Relevance:
    """The LLM filter when a chat model is given, else the deterministic one."""
    return LlmRelevance(model, name, method) if model is not None else NicheRelevance()
