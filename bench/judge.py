"""`python -m bench judge`: the semantic judge beside the keyword judge on the labelled set.

The measuring is `chimera.runs.evaluation` (shared with the calibration notebook); this module
prints it: routing accuracy, unsafe auto-approvals, false alarms, distinct confidences, time per
draft, then each judge's calibration table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chimera.runs.evaluation import LABELLED_SET, evaluate


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
    print("\nmisrouted (semantic):", "; ".join(doc["semantic"]["misrouted"]) or "none")


def main(path: Path | None = None) -> dict[str, Any]:
    """Judge the set with both judges and print the comparison."""
    doc = asyncio.run(evaluate(path or LABELLED_SET))
    report(doc)
    return doc
