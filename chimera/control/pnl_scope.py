"""The scope of a P&L report (tenant, agent, campaign, period) and its shared SQL filter.

Apart from `pnl` and `costs` so both read the same scope without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class PnlQuery:
    """What to report: one tenant, optionally one agent and/or campaign, over [start, end)."""

    tenant_id: str
    agent_id: str | None = None
    campaign_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def params(self) -> dict[str, Any]:
        """SQL parameters shared by every P&L query."""
        return {
            "agent": self.agent_id,
            "campaign": self.campaign_id,
            "start": self.start,
            "end": self.end,
        }


def window(at: str, agent: str = "agent_id") -> str:
    """The agent and period filter of a P&L query, on the row's `agent` and time `at` columns."""
    return (
        f" AND (%(agent)s::text IS NULL OR {agent} = %(agent)s)"
        f" AND (%(start)s::timestamptz IS NULL OR {at} >= %(start)s)"
        f" AND (%(end)s::timestamptz IS NULL OR {at} < %(end)s)"
    )
