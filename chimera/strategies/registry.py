"""Choose strategies for a run: deterministic without a model, LLM with `provider:model`.

Each role (planner, writer, judge, and the cheap relevance filter) may name its own model;
unset roles use `CHIMERA_MODEL`, and a campaign's `Context.model` overrides the three campaign
roles. Every spec is checked by `check_models` before a process starts anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from langchain_core.language_models import BaseChatModel

from chimera.platform.settings import Settings
from chimera.strategies.base import Planner, Scorer, Writer
from chimera.strategies.intents import IntentClassifier, LlmIntents
from chimera.strategies.llm import LlmPlanner, LlmScorer, LlmWriter, StructuredMethod
from chimera.strategies.models import ModelOptions, ModelSpec, build_chat_model, check_spec
from chimera.strategies.planner import TemplatePlanner
from chimera.strategies.relevance import Relevance, relevance_for
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


@dataclass(frozen=True)
class RoleModels:
    """The model spec of each role (None: deterministic) and where it was set."""

    planner: str | None = None
    writer: str | None = None
    judge: str | None = None
    fast: str | None = None
    settings: Mapping[str, str] = field(default_factory=dict)
    """Role -> the setting that named its spec (for error messages)."""

    @classmethod
    def from_settings(cls, s: Settings) -> RoleModels:
        """Per-role settings, falling back to CHIMERA_MODEL."""
        names: dict[str, str] = {}
        for role, own in (("planner", s.planner_model), ("writer", s.writer_model)):
            names[role] = f"CHIMERA_{role.upper()}_MODEL" if own else "CHIMERA_MODEL"
        names["judge"] = "CHIMERA_JUDGE_MODEL" if s.judge_model else "CHIMERA_MODEL"
        names["fast"] = "CHIMERA_FAST_MODEL" if s.fast_model else "CHIMERA_MODEL"
        return cls(
            planner=s.planner_model or s.model,
            writer=s.writer_model or s.model,
            judge=s.judge_model or s.model,
            fast=s.fast_model or s.model,
            settings=names,
        )

    def named(self) -> dict[str, str]:
        """Role -> spec, for the roles that have a model."""
        roles = {"planner": self.planner, "writer": self.writer, "judge": self.judge}
        return {k: v for k, v in (roles | {"fast": self.fast}).items() if v}


def options_of(s: Settings) -> ModelOptions:
    """The client options of every model of the process."""
    return ModelOptions(
        base_urls=dict(s.model_base_urls),
        timeout_s=s.model_timeout_s,
        max_retries=s.model_max_retries,
        temperature=s.model_temperature,
        structured_output=s.model_structured_output,
    )


def check_models(s: Settings) -> dict[str, ModelSpec]:
    """Check every configured model spec (start-up validation; no request is sent).

    Returns:
        Role -> parsed spec, for the roles that have a model.

    Raises:
        ModelConfigError: one line naming the setting and the extra or key it needs.

    """
    roles, options = RoleModels.from_settings(s), options_of(s)
    return {
        role: check_spec(spec, roles.settings.get(role, "CHIMERA_MODEL"), options)
        for role, spec in roles.named().items()
    }


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
        models: RoleModels | str | None,
        chat_model: BaseChatModel | None = None,
        options: ModelOptions | None = None,
        detector: RiskDetector | None = None,
    ) -> None:
        self._detector = detector
        self._deterministic = (
            DETERMINISTIC
            if detector is None
            else Strategies(
                TemplatePlanner(), TemplateWriter(), HeuristicScorer(detector), "deterministic"
            )
        )
        self._roles = (
            models if isinstance(models, RoleModels) else RoleModels(models, models, models)
        )
        self._injected = chat_model
        self._options = options or ModelOptions(base_urls={})
        self._models: dict[str, BaseChatModel] = {}
        self._cache: dict[tuple[str | None, ...], Strategies] = {}

    def _chat(self, spec: str, setting: str) -> BaseChatModel:
        if spec not in self._models:
            self._models[spec] = build_chat_model(spec, setting, self._options)
        return self._models[spec]

    def for_model(self, spec: str | None) -> Strategies:
        """The campaign's model for every role when given, else the per-role models."""
        if self._injected is not None:
            key: tuple[str | None, ...] = ("injected",)
            if key not in self._cache:
                self._cache[key] = from_chat_model(self._injected, spec or "injected")
            return self._cache[key]
        r = self._roles
        specs = (spec, spec, spec) if spec else (r.planner, r.writer, r.judge)
        if specs not in self._cache:
            self._cache[specs] = self._build(*specs, campaign=bool(spec))
        return self._cache[specs]

    async def for_run(self, spec: str | None) -> Strategies:
        """`for_model` off the event loop: the first use of a spec imports its integration."""
        return await asyncio.to_thread(self.for_model, spec)

    async def relevance_for_run(self, spec: str | None = None) -> Relevance:
        """`relevance` off the event loop (see `for_run`)."""
        return await asyncio.to_thread(self.relevance, spec)

    def _build(self, p: str | None, w: str | None, j: str | None, *, campaign: bool) -> Strategies:
        if not (p or w or j):
            return self._deterministic

        def setting(role: str) -> str:
            return "Context.model" if campaign else self._roles.settings.get(role, "CHIMERA_MODEL")

        how = cast(StructuredMethod, self._options.structured_output)
        planner: Planner = (
            LlmPlanner(self._chat(p, setting("planner")), p, how) if p else TemplatePlanner()
        )
        writer: Writer = (
            LlmWriter(self._chat(w, setting("writer")), w, how) if w else TemplateWriter()
        )
        scorer: Scorer = (
            LlmScorer(self._chat(j, setting("judge")), j, how)
            if j
            else HeuristicScorer(self._detector)
        )
        fast = self._roles.fast
        intents = LlmIntents(self._chat(fast, setting("fast")), fast) if fast else None
        return Strategies(planner, writer, scorer, p or w or j or "deterministic", intents)

    def relevance(self, spec: str | None = None) -> Relevance:
        """The trend relevance filter: `spec`, else the fast model, else deterministic."""
        spec = spec or self._roles.fast
        if not spec:
            return relevance_for(None)
        if self._injected is not None:
            return relevance_for(self._injected, spec)
        setting = self._roles.settings.get("fast", "CHIMERA_FAST_MODEL")
        how = cast(StructuredMethod, self._options.structured_output)
        return relevance_for(self._chat(spec, setting), spec, how)
