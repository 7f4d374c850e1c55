"""Risk detection: hard rules no score overrides, and semantic topics from the embedding model.

Rules (`money_talk`) catch what must never be published whatever a scorer thinks: a wallet
address, a seed phrase or a payment request; the judge and the publish gate share them. Topics
are found two ways and combined: a word that names the topic in any context (`topics.LEXICON`)
counts at once; otherwise the draft and the text it answers are embedded (the packaged
multilingual model, so paraphrases and Amharic are caught) and compared with each topic's
examples and with everyday commerce examples (`topic_prototypes`): a topic counts when its
examples are closer than the safe ones by a margin, or by a smaller margin when an ambiguous
word ("vote", "stock") is also present. Injection is found by rules and by closeness to
injection examples. Prototype vectors are computed once per detector and every model call runs
in a worker thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from chimera.platform.embeddings import model_name
from chimera.strategies.topic_prototypes import INJECTION_EXAMPLES, SAFE_EXAMPLES, examples_for
from chimera.strategies.topics import (
    SENSITIVE_DEFAULT,
    ambiguous_in,
    injection_reasons,
    topics_in,
)
from state.persona import Persona

SEMANTIC_MARGIN = 0.015
"""How much closer to a topic's examples than to the safe ones a text must be to be about it."""
AMBIGUOUS_MARGIN = 0.0
"""The margin when an ambiguous word of the topic is present too."""
NEAREST_SPREAD = 0.035
"""A semantic-only topic must be within this of the text's nearest topic (money talk that is
close to finance is not also gambling)."""
INJECTION_MARGIN = 0.03
"""The margin over safe examples that makes untrusted text read as instructions."""

_WALLET = re.compile(
    r"\b0x[0-9a-fA-F]{40}\b"
    r"|\b((?i:bc1)[02-9ac-hj-np-zAC-HJ-NP-Z]{11,71}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})\b"
)
_SEED = re.compile(
    r"\b(seed|recovery|mnemonic|secret) (phrase|words?)\b|\bprivate key\b"
    r"|\b([a-z]{3,8} ){11,23}[a-z]{3,8}\b",
    re.I,
)
_PAYMENT = re.compile(
    r"\b(send|transfer|pay|wire|deposit)\s+(me |us )?(the )?(\$?[\d.,]+\s*)?(usdc|usdt|eth|btc|"
    r"bitcoin|sol|crypto|money|payment|funds|dollars|usd|birr|naira"
    r"|to (my|our) (wallet|account|cashapp|paypal))\b"
    r"|\b(pay|venmo|cashapp|zelle) (me|us)\b|\b(dm|send) (me )?your (wallet|card|bank)",
    re.I,
)
MONEY_RULES = (
    (_WALLET, "a wallet address"),
    (_SEED, "a seed phrase or private key"),
    (_PAYMENT, "a payment request"),
)
"""The money a public text never carries: the one rule set of the judge and the publish gate."""


def money_talk(text: str) -> list[str]:
    """Wallet addresses, seed phrases or payment requests in text meant for the public.

    Applied by the judge to every draft (`guardrails.hard_failures`) and by the publish gate to
    every text about to leave (`guardrails.publish_violations`), whatever its score or author.

    Args:
        text: The draft or the exact text about to be published.

    Returns:
        One readable reason per rule broken (empty: none).

    """
    return [
        f"Contains {what}; posts and replies never carry one."
        for rule, what in MONEY_RULES
        if rule.search(text)
    ]


@dataclass(frozen=True)
class RiskReport:
    """What the detector found in a draft and in the text it answers."""

    draft_topics: tuple[str, ...] = ()
    source_topics: tuple[str, ...] = ()
    injection: tuple[str, ...] = ()
    """Why the source reads as instructions (empty: it does not)."""
    closeness: float = 0.0
    """How near the draft or source is to the nearest risky topic, in [0, 1]."""
    margins: dict[str, float] = field(default_factory=dict)
    """Per topic: the best margin over safe examples (draft or source)."""

    def topics(self) -> list[str]:
        """Every topic found, draft first."""
        return list(dict.fromkeys([*self.draft_topics, *self.source_topics]))


def watched_topics(persona: Persona) -> list[str]:
    """The topics to look for on a persona's drafts: defaults, explicit content, its own."""
    names = [*SENSITIVE_DEFAULT, "explicit content", *persona.forbidden_topics]
    return list(dict.fromkeys(t.lower() for t in [*names, *persona.sensitive_topics]))


def _unit(rows: list[list[float]]) -> np.ndarray:
    matrix = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


class RiskDetector:
    """Finds risky topics and injection in text; keeps prototype and text vectors cached."""

    def __init__(
        self, embeddings: Embeddings | None, cache_size: int = 2048, cache_dir: Path | None = None
    ) -> None:
        """Wrap an embedding model (None: rules and lexicons only).

        With `cache_dir`, prototype vectors are also kept on disk, keyed by the model and the
        example texts, so a new process (a `chimera judge` dry run) does not embed them again.
        """
        self._embeddings = embeddings
        self._cache_dir = cache_dir
        self._prototypes: dict[str, np.ndarray] = {}
        self._texts: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = cache_size
        self._lock = asyncio.Lock()

    async def _embed(self, texts: list[str]) -> np.ndarray:
        assert self._embeddings is not None
        return _unit(await self._embeddings.aembed_documents(texts))

    async def _prototype(self, names: Sequence[str]) -> dict[str, np.ndarray]:
        missing = [n for n in dict.fromkeys(names) if n not in self._prototypes]
        if missing:
            groups = [_special(n) or examples_for(n) for n in missing]
            matrix = await self._embed_examples([t for g in groups for t in g])
            start = 0
            for name, group in zip(missing, groups, strict=True):
                self._prototypes[name] = matrix[start : start + len(group)]
                start += len(group)
        return {n: self._prototypes[n] for n in names}

    async def _embed_examples(self, texts: list[str]) -> np.ndarray:
        if self._cache_dir is None:
            return await self._embed(texts)
        assert self._embeddings is not None
        key = hashlib.sha256("\n".join([model_name(self._embeddings), *texts]).encode())
        path = self._cache_dir / f"prototypes-{key.hexdigest()[:24]}.npy"
        if await asyncio.to_thread(path.is_file):
            cached: np.ndarray = await asyncio.to_thread(np.load, path)
            if cached.shape[0] == len(texts):
                return cached
        matrix = await self._embed(texts)
        await asyncio.to_thread(_save, path, matrix)
        return matrix

    async def vectors(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of `texts` (cached by text), computed off the event loop."""
        async with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._texts))
            if missing:
                for text, row in zip(missing, await self._embed(missing), strict=True):
                    self._texts[text] = row
            for text in texts:
                self._texts.move_to_end(text)
            while len(self._texts) > self._size:
                self._texts.popitem(last=False)
            return np.stack([self._texts[t] for t in texts])

    @property
    def semantic(self) -> bool:
        """Whether an embedding model backs this detector."""
        return self._embeddings is not None

    async def similarity(self, text: str, other: str) -> float:
        """Cosine similarity of two texts (0.0 without a model or with an empty text)."""
        if self._embeddings is None or not text.strip() or not other.strip():
            return 0.0
        vecs = await self.vectors([text, other])
        return float(vecs[0] @ vecs[1])

    async def analyse(self, draft: str, source: str, topics: Sequence[str]) -> RiskReport:
        """Find `topics` in a draft and its source, and injection in the source.

        Args:
            draft: The text the agent would publish.
            source: The untrusted text it answers ("" for a post).
            topics: The topic names to look for (persona, policy and default ones).

        Returns:
            The report; with no embedding model, lexicon and rule findings only.

        """
        names = list(dict.fromkeys(t.lower() for t in topics if t.strip()))
        injection = injection_reasons(source) if source else []
        if self._embeddings is None:
            return RiskReport(
                tuple(topics_in(draft, names)), tuple(topics_in(source, names)), tuple(injection)
            )
        texts = [draft, source] if source else [draft]
        async with self._lock:
            protos = await self._prototype([*names, "__safe__", "__injection__"])
        vecs = await self.vectors(texts)
        safe = (vecs @ protos["__safe__"].T).max(axis=1)
        margins = {n: (vecs @ protos[n].T).max(axis=1) - safe for n in names}
        found = [self._found(t, names, margins, i) for i, t in enumerate(texts)]
        if source and not injection:
            over = float((vecs[1] @ protos["__injection__"].T).max() - safe[1])
            if over >= INJECTION_MARGIN:
                injection = ["reads like orders to the agent"]
        best = max((float(m.max()) for m in margins.values()), default=-1.0)
        return RiskReport(
            draft_topics=tuple(found[0]),
            source_topics=tuple(found[1]) if source else (),
            injection=tuple(injection),
            closeness=float(np.clip((best + 0.005) / 0.04, 0.0, 1.0)),
            margins={n: round(float(m.max()), 4) for n, m in margins.items()},
        )

    @staticmethod
    def _found(text: str, names: list[str], margins: dict[str, np.ndarray], i: int) -> list[str]:
        strong = set(topics_in(text, names))
        maybe = set(ambiguous_in(text, names))
        nearest = max(float(margins[n][i]) for n in names)
        return [
            n
            for n in names
            if n in strong
            or (margins[n][i] >= SEMANTIC_MARGIN and margins[n][i] >= nearest - NEAREST_SPREAD)
            or (n in maybe and margins[n][i] >= AMBIGUOUS_MARGIN)
        ]


def _save(path: Path, matrix: np.ndarray) -> None:
    # write then rename: a concurrent reader never sees half a file
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{id(matrix)}.tmp")
    with partial.open("wb") as handle:
        np.save(handle, matrix)
    partial.replace(path)


def _special(name: str) -> tuple[str, ...]:
    return {"__safe__": SAFE_EXAMPLES, "__injection__": INJECTION_EXAMPLES}.get(name, ())
