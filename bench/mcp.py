"""MCP tool-call overhead: our host vs a raw persistent `ClientSession` vs the adapters' default.

ARCHITECTURE §9: a call through `McpHost.call_tool` should cost <= 1.5x a raw persistent
`mcp.ClientSession.call_tool` to the same server process. Every call is the social server's
`post_tweet` with one fixed idempotency key, so after the first call each one is an idempotent
replay (an INSERT .. ON CONFLICT DO NOTHING plus one SELECT in Postgres). The third variant is
`langchain_mcp_adapters` used the default way (`MultiServerMCPClient.get_tools()` then
`tool.ainvoke`), which opens a new session, i.e. spawns a new server process, per call.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

import anyio
from langchain_core.tools import BaseTool
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.sessions import Connection
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from chimera.mcp.host import CallIdentity, server_connections
from chimera.platform.settings import REPO_ROOT
from chimera.resources import Services, open_services

SERVER, TOOL = "social", "post_tweet"
TENANT_ID, AGENT_ID, RUN_ID = "tenant-xyz", "agent-ethiopia-fashion-001", "bench"
ARGS: dict[str, Any] = {
    "tenant_id": TENANT_ID,
    "agent_id": AGENT_ID,
    "text": "bench",
    "idempotency_key": "bench-key-000001",
}
WHO = CallIdentity(TENANT_ID, AGENT_ID, RUN_ID)
Call = Callable[[], Awaitable[Any]]


@asynccontextmanager
async def raw_session(connection: dict[str, Any]) -> AsyncIterator[ClientSession]:
    """A persistent raw stdio session to the server, started exactly as the host starts it."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", f"servers.{SERVER}"],
        env=connection["env"],
        cwd=str(REPO_ROOT),
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def host_call(svc: Services) -> Call:
    """One call through `McpHost.call_tool` (allow-list, timeout, retries, error mapping)."""

    async def call() -> Any:
        result = await svc.host.call_tool(SERVER, TOOL, ARGS, who=WHO)
        assert "post_id" in result, result
        return result

    return call


def raw_call(session: ClientSession) -> Call:
    """One `ClientSession.call_tool` with the same `_meta` the host sends."""

    async def call() -> Any:
        result = await session.call_tool(TOOL, ARGS, meta=WHO.meta())
        assert not result.isError and result.structuredContent is not None, result
        return result

    return call


def per_call(tool: BaseTool) -> Call:
    """One adapter tool invocation: a fresh session (and server subprocess) per call."""

    async def call() -> Any:
        return await tool.ainvoke(ARGS)

    return call


async def adapter_tool(connection: Connection) -> BaseTool:
    """The `post_tweet` tool as `MultiServerMCPClient.get_tools()` returns it by default."""
    client = MultiServerMCPClient({SERVER: connection})
    tools = await client.get_tools(server_name=SERVER)
    return next(t for t in tools if t.name == TOOL)


async def time_calls(call: Call, count: int, into: list[float]) -> None:
    """Run `call` `count` times in sequence, appending each latency in seconds."""
    for _ in range(count):
        start = time.perf_counter()
        await call()
        into.append(time.perf_counter() - start)


def split(total: int, parts: int) -> list[int]:
    """`total` spread over `parts` rounds as evenly as possible."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


async def interleave(
    calls: dict[str, Call], counts: dict[str, int], rounds: int
) -> dict[str, list[float]]:
    """Rounds of each variant in turn (order rotated every round) so drift hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    plan = {name: split(counts[name], rounds) for name in calls}
    names = list(calls)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            await time_calls(calls[name], plan[name][r], samples[name])
    return samples


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def stats(values: list[float]) -> dict[str, float]:
    """p50, p95, mean, min and max in milliseconds."""
    return {
        "calls": len(values),
        "p50_ms": statistics.median(values) * 1e3,
        "p95_ms": percentile(values, 95) * 1e3,
        "mean_ms": statistics.fmean(values) * 1e3,
        "min_ms": min(values) * 1e3,
        "max_ms": max(values) * 1e3,
    }


def ratios(table: dict[str, dict[str, float]], base: str = "raw") -> dict[str, dict[str, float]]:
    """Each variant's p50/p95/mean divided by the raw session's."""
    return {
        f"{name}/{base}": {k: row[k] / table[base][k] for k in ("p50_ms", "p95_ms", "mean_ms")}
        for name, row in table.items()
        if name != base
    }


async def warm_up(calls: dict[str, Call]) -> None:
    """First call creates the post (later ones replay); a few more warm every path."""
    for name, call in calls.items():
        for _ in range(1 if name == "per-call" else 5):
            await call()


async def measure(calls_n: int, per_call_n: int, rounds: int) -> dict[str, Any]:
    """Boot services, open the raw session and adapter tool, and time the three variants."""
    boot = time.perf_counter()
    async with open_services() as svc:
        boot_s = time.perf_counter() - boot
        connection = server_connections(svc.settings, svc.endpoints)[SERVER]
        async with raw_session(connection) as session:
            calls: dict[str, Call] = {"host": host_call(svc), "raw": raw_call(session)}
            counts = {"host": calls_n, "raw": calls_n}
            if per_call_n > 0:
                calls["per-call"] = per_call(await adapter_tool(cast(Connection, connection)))
                counts["per-call"] = per_call_n
            await warm_up(calls)
            samples = await interleave(calls, counts, min(rounds, calls_n))
    table = {name: stats(values) for name, values in samples.items()}
    return {"boot_s": boot_s, "variants": table, "ratios": ratios(table)}


def format_table(result: dict[str, Any]) -> str:
    """Per-variant latencies and ratios to the raw session."""
    head = f"{'variant':<10} {'calls':>5} {'p50_ms':>9} {'p95_ms':>9} {'mean_ms':>9} {'min_ms':>9}"
    lines = [head, "-" * len(head)]
    for name, row in result["variants"].items():
        lines.append(
            f"{name:<10} {row['calls']:>5} {row['p50_ms']:>9.3f} {row['p95_ms']:>9.3f}"
            f" {row['mean_ms']:>9.3f} {row['min_ms']:>9.3f}"
        )
    lines.append("")
    lines.append(f"{'ratio':<16} {'p50':>8} {'p95':>8} {'mean':>8}")
    for name, row in result["ratios"].items():
        flag = (
            "  target <= 1.5: " + ("ok" if row["p50_ms"] <= 1.5 else "OVER")
            if name.startswith("host")
            else ""
        )
        lines.append(
            f"{name:<16} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} {row['mean_ms']:>8.2f}{flag}"
        )
    return "\n".join(lines)


def main(calls_n: int, per_call_n: int, rounds: int) -> dict[str, Any]:
    """Run the benchmark and print the table; returns the JSON document to write."""
    started = time.perf_counter()
    result = anyio.run(measure, calls_n, per_call_n, rounds)
    print(format_table(result))
    if per_call_n > 0:
        print(
            f"per-call = langchain_mcp_adapters default (new session + server process per call),"
            f" only {per_call_n} calls."
        )
    return {
        "benchmark": "mcp",
        "target": "host <= 1.5x raw persistent ClientSession (ARCHITECTURE §9)",
        "tool": f"{SERVER}.{TOOL} (idempotent replay)",
        "wall_s": time.perf_counter() - started,
        **result,
    }
