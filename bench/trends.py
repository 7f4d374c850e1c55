"""Trend detection over 10k feed items in the window: time and peak memory, ours vs bare.

- **ours**: the skill's real pipeline from raw feed dicts: parse timestamps, normalise
  (`make_item`: noise stripping, stopwords, injection check), window filter, keyword clustering,
  label merging, scoring, `Trend` contracts (`detect`), optionally the embedding merge.
- **bare**: the baseline the old perception used: lowercase regex words of each windowed item,
  one `Counter`, the 10 most common words. No clustering, scoring or contracts.

Both start from the same synthetic items (a fixed seed: 40 topics of 3 words, noise words,
mentions and news) and are timed in the same process; peak memory comes from `tracemalloc` in a
separate run of each, so tracing does not distort the timings.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from skills.trend_detection_alerting.detect import Window, detect
from skills.trend_detection_alerting.text import make_item

NOW = datetime(2026, 2, 6, 10, 0, tzinfo=UTC)
WORDS = re.compile(r"[a-z][a-z-]{3,}")
VOCAB = [
    "addis",
    "habesha",
    "kemis",
    "streetwear",
    "summer",
    "drop",
    "cotton",
    "weavers",
    "sneakers",
    "denim",
    "runway",
    "tibeb",
]
NOISE = [
    "great",
    "look",
    "today",
    "love",
    "this",
    "style",
    "city",
    "night",
    "morning",
    "people",
    "store",
    "queue",
    "fresh",
]


def synthetic(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """`n` feed items inside a 4 h window (plus 10% outside it), 40 latent topics."""
    rng = random.Random(seed)
    topics = [rng.sample(VOCAB, 3) for _ in range(40)]
    items = []
    for i in range(n):
        topic = topics[min(39, int(rng.paretovariate(1.2)) - 1)]
        words = [*topic, *rng.sample(NOISE, 4)]
        rng.shuffle(words)
        age = rng.uniform(0, 4.4)
        items.append(
            {
                "resource": "news://ethiopia/fashion/trends"
                if i % 3
                else "twitter://mentions/recent",
                "text": " ".join(words).capitalize() + f" #{i}",
                "published": (NOW - timedelta(hours=age)).isoformat().replace("+00:00", "Z"),
                "tags": topic[:1],
            }
        )
    return items


def ours(items: list[dict[str, Any]], embeddings: Any = None) -> int:
    """The skill's pipeline; returns the number of trends."""
    parsed = [
        make_item(
            i["resource"],
            i["text"],
            datetime.fromisoformat(i["published"][:-1] + "+00:00"),
            i["tags"],
        )
        for i in items
    ]
    found = asyncio.run(
        detect(
            parsed,
            window=Window(NOW, 4),
            ids=("tenant-bench", "agent-bench"),
            regions=["ethiopia"],
            sources=2,
            min_cluster_score=0.5,
            max_trends=10,
            embeddings=embeddings,
        )
    )
    return len(found.trends)


def bare(items: list[dict[str, Any]]) -> int:
    """Plain keyword counting over the windowed items; returns the number of keywords kept."""
    start = NOW - timedelta(hours=4)
    counts: Counter[str] = Counter()
    for item in items:
        moment = datetime.fromisoformat(item["published"][:-1] + "+00:00")
        if start < moment <= NOW:
            counts.update(set(WORDS.findall(item["text"].lower())))
    return len(counts.most_common(10))


def _time(fn: Callable[[], int], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        out.append(time.perf_counter() - began)
    return out


def _peak(fn: Callable[[], int]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(n: int, repeat: int, with_embeddings: bool) -> dict[str, Any]:
    """Run the comparison and print a table; returns the raw numbers."""
    items = synthetic(n)
    variants: dict[str, Callable[[], int]] = {
        "bare": lambda: bare(items),
        "ours": lambda: ours(items),
    }
    if with_embeddings:
        from skills.trend_detection_alerting.embeddings import default_embeddings

        model = default_embeddings()
        variants["ours+embeddings"] = lambda: ours(items, model)
        ours(items[:200], model)  # load the model outside the timings
    times = {name: _time(fn, repeat) for name, fn in variants.items()}
    peaks = {name: _peak(fn) for name, fn in variants.items()}
    trends = ours(items)
    base_t, base_m = statistics.median(times["bare"]), peaks["bare"]
    print(f"trend detection over {n} items ({trends} trends), median of {repeat}")
    print(f"{'variant':<18}{'time ms':>10}{'ratio':>8}{'peak KiB':>10}{'ratio':>8}")
    rows = {}
    for name in variants:
        t, m = statistics.median(times[name]), peaks[name]
        rows[name] = {
            "median_s": t,
            "peak_bytes": m,
            "time_ratio": t / base_t,
            "mem_ratio": m / base_m,
        }
        print(f"{name:<18}{t * 1000:>10.1f}{t / base_t:>8.2f}{m / 1024:>10.0f}{m / base_m:>8.2f}")
    return {"items": n, "repeat": repeat, "trends": trends, "variants": rows}
