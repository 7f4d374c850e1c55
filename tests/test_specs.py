"""Spec-first (constitution rule 7): every section a test cites exists in specs/."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"specs/(?P<file>[a-z_]+\.md)\s+((?:§[\d.]+(?:,\s*)?)+)")
SECTION = re.compile(r"§([\d]+(?:\.[\d]+)*)")
HEADING = re.compile(r"^#+\s+(?P<number>\d+(?:\.\d+)*)\.?\s", re.M)


def headings(spec: Path) -> set[str]:
    return {m["number"] for m in HEADING.finditer(spec.read_text(encoding="utf-8"))}


def test_every_cited_spec_section_exists() -> None:
    """specs/_meta.md §4"""
    missing: list[str] = []
    cited = 0
    for test in sorted((ROOT / "tests").rglob("test_*.py")):
        for match in CITATION.finditer(test.read_text(encoding="utf-8")):
            known = headings(ROOT / "specs" / match["file"])
            for number in SECTION.findall(match.group(0)):
                cited += 1
                if number.rstrip(".") not in known:
                    missing.append(f"{test.relative_to(ROOT)}: specs/{match['file']} §{number}")
    assert cited > 100, "tests should cite the spec sections they prove"
    assert missing == []


def test_every_test_module_cites_a_spec_section() -> None:
    """specs/_meta.md §4"""
    uncited = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "tests").rglob("test_*.py"))
        if not CITATION.search(p.read_text(encoding="utf-8"))
    ]
    assert uncited == []
