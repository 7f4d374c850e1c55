"""Remembering trend alerts in long-term memory (source_type `trend_alert`).

Goes through the memory server's `upsert_memory` tool when the host allows it (the memory
issue's server). Without a memory server this is a no-op by design: alerts are still kept in
`trend_alerts`. The memory id derives from the alert id, so a repeated pass stores nothing new.
"""

from __future__ import annotations

from typing import Any

from chimera.mcp.host import CallIdentity, McpHost


def memory_available(host: McpHost) -> bool:
    """Whether the host may call the memory server's `upsert_memory`."""
    return "upsert_memory" in host.allow.get("memory", frozenset())


def alert_text(trend: dict[str, Any]) -> str:
    """The memory text of an alert: topic, score, tags and the newest evidence."""
    samples = "; ".join(s["excerpt"][:160] for s in trend["supporting_samples"][:3])
    return (
        f"Trend {trend['topic']} scored {trend['score']:.2f} (tags: {', '.join(trend['tags'])})."
        f" Evidence: {samples}"
    )[:4000]


async def remember_alerts(host: McpHost, envelope: dict[str, Any]) -> int:
    """Upsert one memory per trend of the envelope; returns how many were sent."""
    if not memory_available(host):
        return 0
    who = CallIdentity(envelope["tenant_id"], envelope["agent_id"], "perception")
    for trend in envelope["trends"]:
        await host.call_tool(
            "memory",
            "upsert_memory",
            {
                "tenant_id": envelope["tenant_id"],
                "agent_id": envelope["agent_id"],
                "memory_id": f"mem-{trend['trend_id']}",
                "source_type": "trend_alert",
                "source_id": trend["trend_id"],
                "text": alert_text(trend),
                "timestamp": envelope["generated_at"],
            },
            who=who,
        )
    return len(envelope["trends"])
