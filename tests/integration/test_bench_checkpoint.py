"""Smoke test of `python -m bench checkpoint` at toy size (specs/technical.md §8.1).

Runs the real bench on the session's embedded Postgres (a fresh database per side) and checks
the shape of what it reports; never its timings.
"""

from __future__ import annotations

import asyncio

import pytest

from bench import checkpoint
from bench.__main__ import parser
from bench.pg_saver import TABLES
from chimera.platform.embedded import ensure_services
from chimera.platform.settings import Settings

pytestmark = pytest.mark.allow_blocking


async def test_checkpoint_bench_reports_every_variant(settings: Settings) -> None:
    admin = (await asyncio.to_thread(ensure_services, settings)).pg_admin
    doc = await checkpoint.run(admin, tasks=2, repeat=2, warmup=1)
    sides = doc["sides"]
    assert set(sides) == {"ours_pg", "bare_pg", "ours_none", "bare_none"}
    assert all(s["runs"] == 2 and s["median_s"] > 0 for s in sides.values())
    ours, bare = sides["ours_pg"], sides["bare_pg"]
    # same graph shape: one checkpoint per superstep on both sides (input step + 9 supersteps)
    assert ours["supersteps"] == bare["supersteps"] == 10
    for side in (ours, bare):
        foot = side["footprint"]
        assert foot["checkpoints_rows"] == side["supersteps"]
        assert foot["checkpoint_writes_rows"] > 0 and foot["bytes"] > 0
        assert foot["rows"] == sum(foot[f"{t}_rows"] for t in TABLES)
    assert doc["ratio_median"] == ours["median_s"] / bare["median_s"]
    assert "ratio ours_pg/bare_pg" in checkpoint.format_table(doc)


def test_checkpoint_cli_rejects_bad_sizes() -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["checkpoint", "--tasks", "0"])
    args = parser().parse_args(["checkpoint"])
    assert (args.tasks, args.repeat) == (5, 20)
