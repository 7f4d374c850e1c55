"""Smoke test of `python -m bench concurrency` at toy size (specs/technical.md §8.2).

Concurrent runs of ours and bare on the Postgres saver (a saver per run and one shared) and on
`InMemorySaver`; checks every run finished and the shape of the numbers, never their values.
"""

from __future__ import annotations

import asyncio

import pytest

from bench import concurrency
from bench.__main__ import parser
from chimera.platform.embedded import ensure_services
from chimera.platform.settings import Settings

pytestmark = pytest.mark.allow_blocking


async def test_concurrency_bench_runs_every_saver(settings: Settings) -> None:
    admin = (await asyncio.to_thread(ensure_services, settings)).pg_admin
    savers = ["postgres", "postgres-shared", "memory"]
    rows = await concurrency.run(admin, runs=4, tasks=2, io_ms=1, savers=savers)
    assert set(rows) == set(savers)
    for row in rows.values():
        for side in ("ours", "bare"):
            s = row[side]
            assert (s["ok"], s["errors"]) == (4, 0), s
            assert 0 < s["p50_s"] <= s["p95_s"] <= s["p99_s"] <= s["max_s"] <= s["wall_s"]
            assert isinstance(s["meets_target"], bool)
        assert row["ratio_p99"] == row["ours"]["p99_s"] / row["bare"]["p99_s"]
    assert rows["postgres"]["ours"]["pool_max_size"] == 10


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert concurrency.percentile(values, 0.5) == 50.0
    assert concurrency.percentile(values, 0.99) == 99.0
    assert concurrency.percentile([3.0], 0.99) == 3.0


def test_concurrency_cli_validates_savers() -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["concurrency", "--savers", "sqlite"])
    with pytest.raises(SystemExit):
        parser().parse_args(["concurrency", "--io-ms", "-1"])
    args = parser().parse_args(["concurrency"])
    assert (args.runs, args.tasks, args.io_ms, args.savers) == (1000, 5, 50, ["postgres", "memory"])
