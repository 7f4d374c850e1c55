"""`chimera memory search|add|stats`: an operator's view of an agent's memory.

Every command goes through the memory MCP server (only that one is started), with the caller's
tenant as its identity, so the CLI obeys the same tenant wall and validation as the swarm.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import typer

from chimera.cli.output import console, emit_json, fail, run_async
from chimera.mcp.errors import McpCallError
from chimera.mcp.host import CallIdentity, McpHost, connection_token, server_connections
from chimera.platform.ids import stable_id
from chimera.platform.settings import Settings
from chimera.resources import open_services

app = typer.Typer(help="Search, add and count an agent's memories.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TenantOpt = Annotated[str, typer.Option(envvar="CHIMERA_TENANT", help="Your tenant id.")]
EXPECTED = (McpCallError, ValueError, LookupError)
SOURCE_TYPES = ("post", "comment", "trend_alert", "conversation", "fact")


def check_source_type(value: str | None, *, as_json: bool) -> None:
    """Refuse an unknown source type before starting anything."""
    if value is not None and value not in SOURCE_TYPES:
        fail(f"source_type must be one of {', '.join(SOURCE_TYPES)}", as_json=as_json)


@asynccontextmanager
async def memory_host() -> AsyncIterator[McpHost]:
    """A host with only the memory server, on the configured services."""
    settings = Settings()
    async with open_services(settings, with_host=False) as svc:
        token = await connection_token(settings)
        connection = server_connections(settings, svc.endpoints, token)["memory"]
        async with McpHost({"memory": connection}, timeout_s=settings.mcp_call_timeout_s) as host:
            yield host


@app.command()
def search(
    query: str,
    tenant: TenantOpt,
    agent: Annotated[str | None, typer.Option(help="Only this agent's memories.")] = None,
    source_type: Annotated[str | None, typer.Option(help=", ".join(SOURCE_TYPES))] = None,
    k: Annotated[int, typer.Option(min=1, max=50)] = 5,
    json_out: JsonOpt = False,
) -> None:
    """The memories nearest in meaning to QUERY."""
    check_source_type(source_type, as_json=json_out)

    async def main() -> list[dict[str, Any]]:
        args: dict[str, Any] = {"tenant_id": tenant, "query": query, "k": k}
        args |= {"agent_id": agent} if agent else {}
        args |= {"source_type": source_type} if source_type else {}
        async with memory_host() as host:
            who = CallIdentity(tenant, agent or "", "cli")
            result = await host.call_tool("memory", "search_memory", args, who=who)
        return list(result["hits"])

    hits = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(hits)
        return
    for h in hits:
        console.print(
            f"[cyan]{h['score']:.3f}[/] {h['memory_id']} [{h['source_type']}] {h['text']}"
        )


@app.command()
def add(
    text: str,
    tenant: TenantOpt,
    agent: Annotated[str, typer.Option(help="Agent the memory belongs to.")],
    source_type: Annotated[str, typer.Option(help=", ".join(SOURCE_TYPES))] = "conversation",
    source_id: Annotated[str, typer.Option(help="What it came from.")] = "cli",
    memory_id: Annotated[str | None, typer.Option(help="Default: derived from the text.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Add (or update) one memory; adding the same text again changes nothing."""
    check_source_type(source_type, as_json=json_out)

    async def main() -> dict[str, Any]:
        args = {
            "tenant_id": tenant,
            "memory_id": memory_id or stable_id("mem", tenant, agent, source_type, text),
            "agent_id": agent,
            "source_type": source_type,
            "source_id": source_id,
            "text": text,
        }
        async with memory_host() as host:
            who = CallIdentity(tenant, agent, "cli")
            result: dict[str, Any] = await host.call_tool("memory", "upsert_memory", args, who=who)
        return result

    result = run_async(main, as_json=json_out, expected=EXPECTED)
    emit_json(result) if json_out else console.print(f"{result['status']}: {result['memory_id']}")


@app.command()
def stats(
    tenant: TenantOpt,
    agent: Annotated[str | None, typer.Option(help="Only this agent.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """How many memories the tenant (or one agent) holds, by source type."""

    async def main() -> dict[str, Any]:
        async with memory_host() as host:
            who = CallIdentity(tenant, agent or "", "cli")
            result: dict[str, Any] = await host.read_resource("memory", "memory://stats", who=who)
        return result

    result = run_async(main, as_json=json_out, expected=EXPECTED)
    if json_out:
        emit_json(result)
        return
    console.print(
        f"{result['total']} memories ({result['dimension']}-dim): {result['by_source_type']}"
    )
