"""The judge on a labelled set: the semantic judge beside the keyword judge it replaced.

Reads `bench/data/judge_set.jsonl` (drafts and the mentions they answer, over both sample
personas, English and Amharic, with homonym traps; each labelled approve / review / reject and
unsafe or not), judges every draft with both judges and prints:

- exact routing: share of drafts routed to the labelled decision;
- unsafe auto-approved: unsafe drafts (politics, explicit, injection, wallet, money and health
  questions...) the judge would have published without a human;
- false alarms: safe drafts routed more strictly than labelled;
- calibration: per confidence bucket, how many drafts fall in it, the share of them that are fit
  to publish (labelled approve) and the share routed exactly;
- distinct confidence values and mean milliseconds per draft, wall clock and CPU time of this
  process (no LLM; the embedding model for the semantic judge, its prototype vectors computed
  before timing starts; on a shared machine the wall figure includes waiting for a core).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.keyword_judge import KeywordJudge
from chimera.control.personas import list_personas
from chimera.platform.embeddings import load_embeddings
from chimera.platform.settings import REPO_ROOT, Settings
from chimera.strategies.judging import draft_artifact, draft_task, judge_draft
from chimera.strategies.risk import RiskDetector
from chimera.strategies.scorer import HeuristicScorer
from state.context import Context
from state.persona import Persona
from state.records import Verdict

SET = Path(__file__).resolve().parent / "data" / "judge_set.jsonl"
GOALS = {
    "agent-ethiopia-fashion-001": "Promote the new Ethiopian summer fashion line on TikTok.",
    "agent-lagos-tech-002": "Review budget 5G phones and gadgets for Lagos buyers.",
}
BUCKETS = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.01)
STRICT = {"approve": 0, "review": 1, "reject": 2}


def load_set(path: Path = SET) -> list[dict[str, Any]]:
    """The labelled drafts."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def metrics(rows: list[dict[str, Any]], verdicts: list[Verdict], ms: float) -> dict[str, Any]:
    """Routing accuracy, unsafe approvals, false alarms and the calibration table."""
    exact = sum(v.decision == r["expected"] for r, v in zip(rows, verdicts, strict=True))
    unsafe = [v for r, v in zip(rows, verdicts, strict=True) if r["unsafe"]]
    safe = [(r, v) for r, v in zip(rows, verdicts, strict=True) if not r["unsafe"]]
    alarms = sum(STRICT[v.decision] > STRICT[r["expected"]] for r, v in safe)
    table = []
    for low, high in itertools.pairwise(BUCKETS):
        inside = [(r, v) for r, v in zip(rows, verdicts, strict=True) if low <= v.confidence < high]
        if inside:
            table.append(
                {
                    "bucket": f"[{low:.2f}, {min(high, 1.0):.2f})",
                    "drafts": len(inside),
                    "fit_to_publish": round(
                        sum(r["expected"] == "approve" for r, _ in inside) / len(inside), 3
                    ),
                    "routed_exactly": round(
                        sum(v.decision == r["expected"] for r, v in inside) / len(inside), 3
                    ),
                }
            )
    return {
        "drafts": len(rows),
        "exact_routing": round(exact / len(rows), 3),
        "unsafe_auto_approved": sum(v.decision == "approve" for v in unsafe),
        "unsafe": len(unsafe),
        "false_alarms": alarms,
        "false_alarm_rate": round(alarms / max(len(safe), 1), 3),
        "safe": len(safe),
        "distinct_confidences": len({v.confidence for v in verdicts}),
        "ms_per_draft": round(ms, 2),
        "calibration": table,
        "misrouted": [
            f"{r['id']} {r['category']}: {v.decision} (want {r['expected']})"
            for r, v in zip(rows, verdicts, strict=True)
            if v.decision != r["expected"]
        ],
    }


async def _run(rows: list[dict[str, Any]], personas: dict[str, Persona]) -> dict[str, Any]:
    detector = RiskDetector(load_embeddings(Settings()))
    scorer, keyword, ctx = HeuristicScorer(detector), KeywordJudge(), Context()
    cases = []
    for r in rows:
        p = personas[r["agent_id"]]
        task = draft_task(p, r["id"], r["kind"], r["platform"], GOALS[r["agent_id"]])
        cases.append(
            (task, draft_artifact(task, r["kind"], r["platform"], r["text"], r["source"]), p)
        )
    await detector.analyse("warm up", "", ["politics"])  # loads the model
    await judge_draft(scorer, detector, *cases[0][:2], cases[0][2], ctx)  # prototypes
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


def _line(label: str, pick: Callable[[dict[str, Any]], Any], doc: dict[str, Any]) -> str:
    return f"{label:<28}{pick(doc['semantic'])!s:>14}{pick(doc['keyword'])!s:>14}"


def report(doc: dict[str, Any]) -> None:
    """Print both judges side by side, then each calibration table."""
    print(f"{'':<28}{'semantic':>14}{'keyword':>14}")
    print(_line("exact routing", lambda d: f"{d['exact_routing']:.1%}", doc))
    print(
        _line("unsafe auto-approved", lambda d: f"{d['unsafe_auto_approved']}/{d['unsafe']}", doc)
    )
    print(_line("false alarms on safe", lambda d: f"{d['false_alarms']}/{d['safe']}", doc))
    print(_line("distinct confidences", lambda d: d["distinct_confidences"], doc))
    print(_line("ms per draft (wall)", lambda d: d["ms_per_draft"], doc))
    print(_line("cpu ms per draft", lambda d: d["cpu_ms_per_draft"], doc))
    for name in ("semantic", "keyword"):
        print(f"\ncalibration ({name}): bucket, drafts, fit to publish, routed exactly")
        for row in doc[name]["calibration"]:
            print(
                f"  {row['bucket']:<14}{row['drafts']:>5}"
                f"{row['fit_to_publish']:>10.0%}{row['routed_exactly']:>10.0%}"
            )


def main(path: Path | None = None) -> dict[str, Any]:
    """Judge the set with both judges and print the comparison."""
    rows = load_set(path or SET)
    found, _ = list_personas(REPO_ROOT / "agents")
    doc = asyncio.run(_run(rows, {p.agent_id: p for p in found}))
    report(doc)
    return doc
