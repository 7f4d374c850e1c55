"""The judge measured on a labelled set: the semantic judge beside the keyword judge it replaced.

Reads a JSON-lines set (default `bench/data/judge_set.jsonl`: drafts and the mentions they
answer, labelled approve / review / reject and unsafe or not; specs/judge.md §1), judges every
draft with both judges and computes, per judge:

- exact routing: share of drafts routed to the labelled decision;
- unsafe auto-approved: unsafe drafts the judge would have published without a human;
- false alarms: safe drafts routed more strictly than labelled;
- calibration: per confidence bucket, how many drafts fall in it, the share of them that are fit
  to publish (labelled approve) and the share routed exactly;
- distinct confidence values and mean milliseconds per draft, wall clock and CPU time of this
  process (no LLM; the embedding model for the semantic judge, its prototype vectors computed
  before timing starts; on a shared machine the wall figure includes waiting for a core).

Used by `python -m bench judge` and the calibration notebook.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from pathlib import Path
from typing import Any

from chimera.control.personas import list_personas
from chimera.platform.embeddings import load_embeddings
from chimera.platform.settings import REPO_ROOT, Settings
from chimera.strategies.judging import draft_artifact, draft_task, judge_draft
from chimera.strategies.keyword import KeywordJudge
from chimera.strategies.risk import RiskDetector
from chimera.strategies.scorer import HeuristicScorer
from state.context import Context
from state.records import Verdict

LABELLED_SET = REPO_ROOT / "bench" / "data" / "judge_set.jsonl"
GOALS = {
    "agent-ethiopia-fashion-001": "Promote the new Ethiopian summer fashion line on TikTok.",
    "agent-lagos-tech-002": "Review budget 5G phones and gadgets for Lagos buyers.",
}
"""The campaign goal each sample persona's drafts are judged against."""
BUCKETS = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.01)
STRICT = {"approve": 0, "review": 1, "reject": 2}


def load_set(path: Path = LABELLED_SET) -> list[dict[str, Any]]:
    """Blocking: the labelled drafts."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _calibration(pairs: list[tuple[dict[str, Any], Verdict]]) -> list[dict[str, Any]]:
    table = []
    for low, high in itertools.pairwise(BUCKETS):
        inside = [(r, v) for r, v in pairs if low <= v.confidence < high]
        if inside:
            n = len(inside)
            table.append(
                {
                    "bucket": f"[{low:.2f}, {min(high, 1.0):.2f})",
                    "mean_confidence": round(sum(v.confidence for _, v in inside) / n, 3),
                    "drafts": n,
                    "fit_to_publish": round(
                        sum(r["expected"] == "approve" for r, _ in inside) / n, 3
                    ),
                    "routed_exactly": round(
                        sum(v.decision == r["expected"] for r, v in inside) / n, 3
                    ),
                }
            )
    return table


def metrics(rows: list[dict[str, Any]], verdicts: list[Verdict], ms: float) -> dict[str, Any]:
    """Routing accuracy, unsafe approvals, false alarms and the calibration table."""
    pairs = list(zip(rows, verdicts, strict=True))
    safe = [(r, v) for r, v in pairs if not r["unsafe"]]
    alarms = sum(STRICT[v.decision] > STRICT[r["expected"]] for r, v in safe)
    return {
        "drafts": len(rows),
        "exact_routing": round(sum(v.decision == r["expected"] for r, v in pairs) / len(rows), 3),
        "unsafe_auto_approved": sum(v.decision == "approve" for r, v in pairs if r["unsafe"]),
        "unsafe": len(rows) - len(safe),
        "false_alarms": alarms,
        "false_alarm_rate": round(alarms / max(len(safe), 1), 3),
        "safe": len(safe),
        "distinct_confidences": len({v.confidence for v in verdicts}),
        "ms_per_draft": round(ms, 2),
        "calibration": _calibration(pairs),
        "misrouted": [
            f"{r['id']} {r['category']}: {v.decision} (want {r['expected']})"
            for r, v in pairs
            if v.decision != r["expected"]
        ],
    }


async def evaluate(path: Path = LABELLED_SET, settings: Settings | None = None) -> dict[str, Any]:
    """Judge the set with both judges; `{"semantic": metrics, "keyword": metrics}`."""
    if settings is None:
        settings = await asyncio.to_thread(Settings)
    rows = await asyncio.to_thread(load_set, path)
    found, _ = await asyncio.to_thread(list_personas, settings.agents_dir)
    personas = {p.agent_id: p for p in found}
    detector = RiskDetector(load_embeddings(settings), cache_dir=settings.home / "cache")
    scorer, keyword, ctx = HeuristicScorer(detector), KeywordJudge(), Context()
    cases = []
    for r in rows:
        p = personas[r["agent_id"]]
        task = draft_task(p, r["id"], r["kind"], r["platform"], GOALS[r["agent_id"]])
        artifact = draft_artifact(task, r["kind"], r["platform"], r["text"], r["source"])
        cases.append((task, artifact, p))
    await judge_draft(scorer, detector, *cases[0], ctx)  # loads the model and the prototypes
    t0, c0 = time.perf_counter(), time.process_time()
    new = [await judge_draft(scorer, detector, t, a, p, ctx) for t, a, p in cases]
    t1, c1 = time.perf_counter(), time.process_time()
    old = [keyword.judge(t, a, p, ctx) for t, a, p in cases]
    t2, c2 = time.perf_counter(), time.process_time()
    n = len(rows)
    semantic, kw = (
        metrics(rows, new, (t1 - t0) * 1000 / n),
        metrics(rows, old, (t2 - t1) * 1000 / n),
    )
    semantic["cpu_ms_per_draft"] = round((c1 - c0) * 1000 / n, 2)
    kw["cpu_ms_per_draft"] = round((c2 - c1) * 1000 / n, 2)
    return {"semantic": semantic, "keyword": kw}
