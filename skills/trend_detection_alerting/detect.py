"""Trend detection over already-fetched items: window, normalise, cluster, score, keep the best.

Pure and deterministic given its inputs (the optional embeddings model aside), so the MCP reading
in `sources` and the storage in `store` stay apart from the algorithm and the bench can time it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from langchain_core.embeddings import Embeddings

from skills.trend_detection_alerting.cluster import Cluster, keyword_groups, merge_by_embeddings
from skills.trend_detection_alerting.text import Item
from state.contracts import FlaggedItem, SupportingSample, Trend
from state.types import to_utc_z

WEIGHTS = {"volume": 0.35, "velocity": 0.25, "recency": 0.25, "diversity": 0.15}
"""How volume, velocity, recency and cross-source confirmation weigh in a cluster's score."""
MAX_SAMPLES = 5


@dataclass(frozen=True)
class Window:
    """The analysis window: `hours` before `now`."""

    now: datetime
    hours: int

    @property
    def start(self) -> datetime:
        """The oldest instant inside the window."""
        return self.now - timedelta(hours=self.hours)

    def contains(self, moment: datetime) -> bool:
        """Whether `moment` is inside (start, now]."""
        return self.start < moment <= self.now


@dataclass(frozen=True)
class Detection:
    """What one detection pass found."""

    trends: list[Trend]
    flagged: list[FlaggedItem]
    considered: int
    """Items inside the window (flagged ones included)."""


def score_cluster(cluster: Cluster, window: Window, total: int, sources: int) -> float:
    """Weighted volume, velocity, recency and source diversity of a cluster, in [0, 1]."""
    n = len(cluster.items)
    volume = min(1.0, n / max(3.0, 0.05 * total))
    half = window.now - timedelta(hours=window.hours / 2)
    velocity = sum(1 for i in cluster.items if i.timestamp > half) / n
    newest = max(i.timestamp for i in cluster.items)
    recency = max(0.0, 1.0 - (window.now - newest).total_seconds() / (window.hours * 3600))
    diversity = len({i.resource for i in cluster.items}) / max(1, sources)
    raw = (
        WEIGHTS["volume"] * volume
        + WEIGHTS["velocity"] * velocity
        + WEIGHTS["recency"] * recency
        + WEIGHTS["diversity"] * min(1.0, diversity)
    )
    return round(min(1.0, max(0.0, raw)), 4)


def trend_id(tenant_id: str, agent_id: str, topic: str, now: datetime) -> str:
    """Stable id of a topic's alert for one agent and day (the dedupe key of the loop)."""
    seed = f"{tenant_id}:{agent_id}:{topic}:{now.date().isoformat()}"
    return "trend-" + hashlib.sha256(seed.encode()).hexdigest()[:12]


def _trend(
    cluster: Cluster, score: float, regions: list[str], ids: tuple[str, str], window: Window
) -> Trend:
    topic = "-".join(cluster.label_words())[:120].strip("-")
    tag_counts: Counter[str] = Counter()
    for item in cluster.items:
        tag_counts.update(set(item.words) | item.tags)
    tags = [t for t, _ in tag_counts.most_common(8) if t.replace("-", "").isalnum()][:5]
    newest = sorted(cluster.items, key=lambda i: i.timestamp, reverse=True)[:MAX_SAMPLES]
    return Trend(
        trend_id=trend_id(ids[0], ids[1], topic, window.now),
        topic=topic,
        score=score,
        regions=regions,
        tags=tags,
        supporting_samples=[
            SupportingSample(
                resource=i.resource, excerpt=i.text[:280], timestamp=to_utc_z(i.timestamp)
            )
            for i in newest
        ],
    )


async def detect(
    items: list[Item],
    *,
    window: Window,
    ids: tuple[str, str],
    regions: list[str],
    sources: int,
    min_cluster_score: float,
    max_trends: int,
    embeddings: Embeddings | None = None,
) -> Detection:
    """Detect trends in `items` (any order); instruction-like items are flagged, not clustered."""
    inside = [i for i in items if window.contains(i.timestamp)]
    flagged = [
        FlaggedItem(
            resource=i.resource,
            excerpt=i.text[:280],
            timestamp=to_utc_z(i.timestamp),
            reason="instruction-like text in untrusted input; treated as data and ignored",
        )
        for i in inside
        if i.injected
    ]
    usable = [i for i in inside if not i.injected and i.words]
    groups = keyword_groups(usable)
    if embeddings is not None and len(groups) > 1:
        groups = await merge_by_embeddings(groups, embeddings)
    scored = [(score_cluster(g, window, len(usable), sources), g) for g in groups]
    kept = sorted(
        ((s, g) for s, g in scored if s >= min_cluster_score),
        key=lambda pair: (-pair[0], -len(pair[1].items), pair[1].key),
    )
    trends: list[Trend] = []
    for score, group in kept:
        trend = _trend(group, score, regions, ids, window)
        if all(t.topic != trend.topic for t in trends):
            trends.append(trend)
        if len(trends) >= max_trends:
            break
    return Detection(trends=trends, flagged=flagged[:50], considered=len(inside))
