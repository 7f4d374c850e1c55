"""Keeping trend alerts in the control plane (`trend_alerts`, under row-level security).

One row per trend id (topic, agent and day): a later pass updates the score and evidence of the
same alert instead of adding a duplicate. Flagged untrusted input is written to the audit log.
"""

from __future__ import annotations

from psycopg.types.json import Jsonb

from chimera.control import repo
from chimera.platform.db import Pool, tenant_tx
from state.contracts import TrendAlertEnvelope


async def save_alerts(pool: Pool, envelope: TrendAlertEnvelope) -> list[str]:
    """Upsert every trend of the envelope; return the ids that were new."""
    new: list[str] = []
    async with tenant_tx(pool, envelope.tenant_id) as conn:
        for trend in envelope.trends:
            row = await (
                await conn.execute(
                    "INSERT INTO trend_alerts (id, tenant_id, agent_id, payload, topic, score,"
                    " flagged) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload,"
                    " score = EXCLUDED.score, flagged = EXCLUDED.flagged"
                    " RETURNING (xmax = 0) AS inserted",
                    (
                        trend.trend_id,
                        envelope.tenant_id,
                        envelope.agent_id,
                        Jsonb(trend.model_dump(mode="json")),
                        trend.topic,
                        trend.score,
                        len(envelope.flagged),
                    ),
                )
            ).fetchone()
            if row is not None and row["inserted"]:
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
