"""Grouping windowed items into topics: keyword groups first, then embedding merges.

Keyword grouping is linear in the number of items (document frequencies of words and word pairs,
then each item joins its best-ranked shared phrase), so it scales to thousands of items. An
optional langchain `Embeddings` model then merges groups whose labels mean the same thing; it
embeds one short label per group, never every item, so its cost does not grow with the feed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from skills.trend_detection_alerting.text import Item, phrases_of

MERGE_COSINE = 0.93
"""Label similarity above which two groups are one topic (unrelated e5 labels sit near 0.8)."""
MAX_EMBEDDED_GROUPS = 40
LABEL_SHARE = 0.6
"""A word joins a group's label when at least this share of its items contains it."""


@dataclass
class Cluster:
    """Items that talk about one topic."""

    key: str
    items: list[Item] = field(default_factory=list)
    _labels: dict[int, list[str]] = field(default_factory=dict, repr=False)

    def absorb(self, other: Cluster) -> None:
        """Take over another group's items."""
        self.items.extend(other.items)
        self._labels.clear()

    def label_words(self, limit: int = 4) -> list[str]:
        """Words most of the items share, in the order the items usually say them."""
        if limit not in self._labels:
            self._labels[limit] = self._label(limit)
        return self._labels[limit]

    def _label(self, limit: int) -> list[str]:
        counts: Counter[str] = Counter()
        position: Counter[str] = Counter()
        for item in self.items:
            for index, word in enumerate(dict.fromkeys(item.words)):
                counts[word] += 1
                position[word] += index
        floor = max(2, int(LABEL_SHARE * len(self.items) + 0.5)) if len(self.items) > 1 else 1
        common = [w for w, c in counts.most_common() if c >= floor][:limit]
        ordered = sorted(common, key=lambda w: (position[w] / counts[w], w))
        return ordered or self.key.split("-")[:limit]


def keyword_groups(items: list[Item], *, min_df: int = 2) -> list[Cluster]:
    """Group items by their best shared phrase (word pairs rank above single words)."""
    phrases = [phrases_of(item.words) | item.tags for item in items]
    df: Counter[str] = Counter()
    for found in phrases:
        df.update(found)
    rank = {p: n * (1.5 if "-" in p else 1.0) for p, n in df.items() if n >= min_df}
    groups: dict[str, Cluster] = {}
    for item, found in zip(items, phrases, strict=True):
        shared = [p for p in found if p in rank]
        if not shared:
            continue
        best = max(shared, key=lambda p: (rank[p], p))
        groups.setdefault(best, Cluster(best)).items.append(item)  # labels not read yet
    return _merge_overlapping(list(groups.values()))


def _merge_overlapping(groups: list[Cluster]) -> list[Cluster]:
    """Merge groups whose labels share most of their words ("streetwear-drop", "summer-drop")."""
    merged: list[tuple[Cluster, set[str]]] = []
    by_word: dict[str, list[int]] = defaultdict(list)
    for group in sorted(groups, key=lambda g: (-len(g.items), g.key)):
        words = set(group.label_words())
        candidates = dict.fromkeys(i for w in words for i in by_word[w])
        for index in candidates:
            target, other = merged[index]
            shared = len(words & other)
            if shared >= 2 and shared * 3 >= 2 * min(len(words), len(other)):
                target.absorb(group)
                break
        else:
            for word in words:
                by_word[word].append(len(merged))
            merged.append((group, words))
    return [group for group, _ in merged]


def _union(parent: list[int], a: int, b: int) -> None:
    while parent[a] != a:
        a = parent[a]
    while parent[b] != b:
        b = parent[b]
    if a != b:
        parent[max(a, b)] = min(a, b)


def _root(parent: list[int], a: int) -> int:
    while parent[a] != a:
        a = parent[a]
    return a


async def merge_by_embeddings(
    groups: list[Cluster], embeddings: Embeddings, *, threshold: float = MERGE_COSINE
) -> list[Cluster]:
    """Merge the largest groups whose label embeddings are nearly identical."""
    ranked = sorted(groups, key=lambda g: -len(g.items))
    head, tail = ranked[:MAX_EMBEDDED_GROUPS], ranked[MAX_EMBEDDED_GROUPS:]
    if len(head) < 2:
        return ranked
    labels = [" ".join(g.label_words()) for g in head]
    vectors = np.asarray(await embeddings.aembed_documents(labels), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    similar = vectors @ vectors.T
    parent = list(range(len(head)))
    for a, b in zip(*np.nonzero(np.triu(similar, k=1) >= threshold), strict=True):
        _union(parent, int(a), int(b))
    joined: dict[int, Cluster] = defaultdict(lambda: Cluster(""))
    for index, group in enumerate(head):
        target = joined[_root(parent, index)]
        target.key = target.key or group.key
        target.absorb(group)
    return [*joined.values(), *tail]
