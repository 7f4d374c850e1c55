"""Trend alerts go to long-term memory only through the memory server's tool.

Proves specs/technical.md §13.2: one `upsert_memory` per trend with source_type `trend_alert`
and a memory id derived from the alert id; nothing at all when no memory server is configured.
"""

from __future__ import annotations

from typing import Any

from chimera.mcp.host import McpHost
from chimera.memory.alerts import remember_alerts

ENVELOPE: dict[str, Any] = {
    "tenant_id": "tenant-xyz",
    "agent_id": "agent-ethiopia-fashion-001",
    "generated_at": "2026-02-06T10:00:05Z",
    "trends": [
        {
            "trend_id": "trend-abc",
            "topic": "summer-streetwear-drop",
            "score": 0.9,
            "tags": ["summer"],
            "supporting_samples": [
                {"excerpt": "Drop sells out", "resource": "r", "timestamp": "t"}
            ],
        }
    ],
}


class Recording(McpHost):
    """A host whose calls are recorded instead of sent."""

    calls: list[tuple[str, str, dict[str, Any]]]

    async def call_tool(self, server: str, tool: str, arguments: dict[str, Any], **_: Any) -> Any:
        self.calls.append((server, tool, arguments))
        return {}


async def test_alerts_are_upserted_as_trend_alert_memories_when_memory_is_configured() -> None:
    """specs/technical.md §13.2"""
    host = Recording({}, allow={"memory": frozenset({"upsert_memory"})})
    host.calls = []
    assert await remember_alerts(host, ENVELOPE) == 1
    ((server, tool, args),) = host.calls
    assert (server, tool) == ("memory", "upsert_memory")
    assert args["source_type"] == "trend_alert" and args["source_id"] == "trend-abc"
    assert args["memory_id"] == "mem-trend-abc" and "summer-streetwear-drop" in args["text"]


async def test_without_a_memory_server_nothing_is_sent() -> None:
    """specs/technical.md §13.2"""
    host = Recording({}, allow={"news": frozenset()})
    host.calls = []
    assert await remember_alerts(host, ENVELOPE) == 0 and host.calls == []
