"""Choose strategies for a run: deterministic without a model, LLM with `provider:model`."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from chimera.strategies.base import Planner, Scorer, Writer
from chimera.strategies.intents import IntentClassifier, LlmIntents
from chimera.strategies.llm import LlmPlanner, LlmScorer, LlmWriter
from chimera.strategies.planner import TemplatePlanner
from chimera.strategies.risk import RiskDetector
from chimera.strategies.scorer import HeuristicScorer
from chimera.strategies.writer import TemplateWriter


@dataclass(frozen=True)
class Strategies:
    """The three swappable brains of a run."""

    planner: Planner
    writer: Writer
    scorer: Scorer
    model_name: str
    intents: IntentClassifier | None = None
    """The mention classifier (None: the process's embedding classifier)."""


DETERMINISTIC = Strategies(TemplatePlanner(), TemplateWriter(), HeuristicScorer(), "deterministic")


def from_chat_model(model: BaseChatModel, name: str) -> Strategies:
    """LLM strategies around one chat model."""
    return Strategies(
        LlmPlanner(model, name),
        LlmWriter(model, name),
        LlmScorer(model, name),
        name,
        LlmIntents(model, name),
    )


class StrategyCache:
    """Builds (once per model spec) the strategies a run asks for."""

    def __init__(
        self,
        default_model: str | None,
        chat_model: BaseChatModel | None = None,
        detector: RiskDetector | None = None,
    ) -> None:
        self._default = default_model
        self._injected = chat_model
        self._cache: dict[str, Strategies] = {}
        self._deterministic = (
            DETERMINISTIC
            if detector is None
            else Strategies(
                TemplatePlanner(), TemplateWriter(), HeuristicScorer(detector), "deterministic"
            )
        )

    def for_model(self, spec: str | None) -> Strategies:
        """Deterministic when no model is named; otherwise `init_chat_model(spec)`."""
        if self._injected is not None:
            return self._cache.setdefault(
                "injected", from_chat_model(self._injected, spec or "injected")
            )
        spec = spec or self._default
        if not spec:
            return self._deterministic
        if spec not in self._cache:
            from langchain.chat_models import init_chat_model

            self._cache[spec] = from_chat_model(init_chat_model(spec), spec)
        return self._cache[spec]
