"""Smoke test of `python -m bench fleet` at toy size (specs/fleet.md §5).

A handful of passes through a throwaway dev server with one worker process, then two; checks
every pass completed and the shape of the numbers, never their values.
"""

from __future__ import annotations

import pytest

from bench import fleet
from bench.__main__ import parser

pytestmark = pytest.mark.allow_blocking


@pytest.mark.timeout(300)
def test_fleet_bench_runs_one_worker_then_two() -> None:
    doc = fleet.main(
        agents=6, worker_counts=[1, 2], concurrency=2, items=10, io_ms=1, servers=["wal"]
    )
    row = doc["wal"]
    assert set(row["variants"]) == {"1", "2"}
    for workers, s in row["variants"].items():
        assert s["passes"] == 6 and s["workers"] == int(workers), s
        assert 0 < s["p50_s"] <= s["p99_s"] <= s["span_s"]
        assert set(s["cpu_s"]) == {
            "server",
            "driver",
            *(f"worker{i + 1}" for i in range(int(workers))),
        }
    assert row["scaling"] == row["variants"]["2"]["runs_per_s"] / row["variants"]["1"]["runs_per_s"]
    assert isinstance(row["meets_target"], bool)


def test_fleet_cli_validates_its_options() -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["fleet", "--servers", "postgres"])
    args = parser().parse_args(["fleet"])
    assert (args.agents, args.workers, args.servers) == (1000, [1, 2], ["shipped", "wal"])
