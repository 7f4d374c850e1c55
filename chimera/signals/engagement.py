"""Engagement feedback for planning: which angles performed best for an agent so far.

The social server reports each recent post's engagement (through MCP); the control plane knows
which task (and so which angle) produced each post. The best angles go first in the planner's
signals, so the next plan prefers what worked. Memory integration point (issue 3): once the
memory server lands, the report node also writes these as semantic memories (`upsert_memory`).
"""

from __future__ import annotations

from typing import Any

from chimera.control import repo
from chimera.mcp.host import CallIdentity, McpHost
from chimera.platform.db import Pool, tenant_tx
from state.records import TrendSignal

PERFORMED_WELL = 0.06
"""Engagement rate at or above which a post counts as having performed well."""


async def _angles(pool: Pool, tenant_id: str, post_ids: list[str]) -> dict[str, str]:
    async with tenant_tx(pool, tenant_id) as conn:
        return await repo.post_angles(conn, post_ids)


async def best_angles(
    host: McpHost,
    pool: Pool,
    who: CallIdentity,
    limit: int = 2,
    threshold: float = PERFORMED_WELL,
) -> list[tuple[str, float]]:
    """Angles of the agent's posts that performed well, best first, with their rate."""
    uri = f"social://agents/{who.agent_id}/engagement"
    data: dict[str, Any] = await host.read_resource("social", uri, who=who)
    good = [p for p in data["posts"] if p["engagement_rate"] >= threshold]
    angles = await _angles(pool, who.tenant_id, [p["post_id"] for p in good])
    best: dict[str, float] = {}
    for post in good:
        angle = angles.get(post["post_id"])
        if angle and angle not in best:
            best[angle] = float(post["engagement_rate"])
    return list(best.items())[:limit]


def prefer(signals: list[TrendSignal], best: list[tuple[str, float]]) -> list[TrendSignal]:
    """Put the best-performing angles first, then the other signals (no repeats)."""
    first = [
        TrendSignal(keyword=angle[:200], count=0, headline=f"past engagement rate {rate:.3f}")
        for angle, rate in best
    ]
    seen = {s.keyword for s in first}
    return [*first, *(s for s in signals if s.keyword not in seen)]
