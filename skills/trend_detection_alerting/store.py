"""Keeping trend alerts in the control plane (`trend_alerts`, under row-level security).

One row per trend id (topic, agent and day): a later pass updates the score and evidence of the
same alert instead of adding a duplicate. Flagged untrusted input is written to the audit log.
"""

from __future__ import annotations

from chimera.control import alerts, repo
from chimera.platform.db import Pool, tenant_tx
from state.contracts import TrendAlertEnvelope


async def save_alerts(pool: Pool, envelope: TrendAlertEnvelope) -> list[str]:
    """Upsert every trend of the envelope; return the ids that were new."""
    new: list[str] = []
    async with tenant_tx(pool, envelope.tenant_id) as conn:
        for trend in envelope.trends:
            flagged = len(envelope.flagged)
            if await alerts.upsert(conn, envelope.tenant_id, envelope.agent_id, trend, flagged):
                new.append(trend.trend_id)
        if envelope.flagged:
            await repo.audit(
                conn,
                envelope.tenant_id,
                "untrusted_input_flagged",
                agent_id=envelope.agent_id,
                detail={"flagged": [f.model_dump(mode="json") for f in envelope.flagged]},
            )
    return new
