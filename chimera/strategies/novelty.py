"""Near-duplicate scoring: a draft too close to a recent post loses confidence.

The judge compares a post draft with the posts in the run's memory context (semantic memories
and recent episodes, the same context the worker got) by cosine similarity of their embeddings.
At or above `Context.duplicate_threshold` the draft's confidence drops by
`Context.duplicate_penalty` and the reason names the post it repeats. The draft's own earlier
version (the same task in the same campaign) is excluded by id, so re-running a campaign never
counts as repeating itself.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import replace

import numpy as np
from langchain_core.embeddings import Embeddings

from chimera.strategies.base import Score
from state.context import Context


def penalise_duplicate(score: Score, similarity: float, match: str, ctx: Context) -> Score:
    """The score, lowered with a reason when `similarity` reaches the duplicate threshold."""
    if similarity < ctx.duplicate_threshold:
        return score
    reason = f"Near-duplicate of a recent post (cosine {similarity:.2f}): {match[:80]}"
    return replace(
        score, confidence=score.confidence - ctx.duplicate_penalty, reasons=[*score.reasons, reason]
    )


class Novelty:
    """Cosine similarity of a draft to remembered texts, with an LRU cache of their vectors."""

    def __init__(self, embeddings: Embeddings, cache_size: int = 4096) -> None:
        self._embeddings = embeddings
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = cache_size
        self._lock = asyncio.Lock()

    async def _vectors(self, texts: list[str]) -> np.ndarray:
        async with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                for text, vec in zip(
                    missing, await self._embeddings.aembed_documents(missing), strict=True
                ):
                    array = np.asarray(vec, dtype=np.float32)
                    self._cache[text] = array / (np.linalg.norm(array) or 1.0)
            for text in texts:
                self._cache.move_to_end(text)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
            return np.stack([self._cache[t] for t in texts])

    async def closest(self, draft: str, texts: list[str]) -> tuple[float, str]:
        """The highest cosine similarity of `draft` to any of `texts`, and that text."""
        if not texts:
            return 0.0, ""
        matrix = await self._vectors([draft, *texts])
        sims = matrix[1:] @ matrix[0]
        best = int(np.argmax(sims))
        return float(sims[best]), texts[best]
