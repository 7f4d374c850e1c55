"""Trend alerts in the control plane (`trend_alerts`, under row-level security).

One row per trend id (topic, agent and day): a later pass updates the score and evidence of the
same alert instead of adding a duplicate. An alert is `new` until one consumer claims it with a
conditional update (`started` or `ignored`), so redeliveries are dropped by alert id.
"""

from __future__ import annotations

from psycopg.types.json import Jsonb

from chimera.platform.db import Conn
from state.contracts import Trend

_UPSERT = (
    "INSERT INTO trend_alerts (id, tenant_id, agent_id, payload, topic, score, flagged)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload,"
    " score = EXCLUDED.score, flagged = EXCLUDED.flagged"
    " RETURNING (xmax = 0) AS inserted"
)
_CLAIM = (
    "UPDATE trend_alerts SET status = %(status)s, decided_at = now(),"
    " campaign_id = CASE WHEN %(status)s = 'started' THEN %(campaign)s END"
    " WHERE id = %(id)s AND status = 'new' RETURNING id"
)


async def upsert(conn: Conn, tenant_id: str, agent_id: str, trend: Trend, flagged: int) -> bool:
    """Store or refresh one alert; True when it is new."""
    row = await (
        await conn.execute(
            _UPSERT,
            (
                trend.trend_id,
                tenant_id,
                agent_id,
                Jsonb(trend.model_dump(mode="json")),
                trend.topic,
                trend.score,
                flagged,
            ),
        )
    ).fetchone()
    return row is not None and bool(row["inserted"])


async def claim(conn: Conn, alert_id: str, status: str, campaign_id: str) -> bool:
    """Move a `new` alert to `status` (the campaign is kept for `started`); False if taken."""
    cur = await conn.execute(_CLAIM, {"status": status, "campaign": campaign_id, "id": alert_id})
    return await cur.fetchone() is not None


async def new_alert(conn: Conn, alert_id: str) -> Trend | None:
    """The alert's trend while it is still `new`."""
    cur = await conn.execute(
        "SELECT payload FROM trend_alerts WHERE id = %s AND status = 'new'", (alert_id,)
    )
    row = await cur.fetchone()
    return None if row is None else Trend.model_validate(row["payload"])


async def new_alert_ids(conn: Conn, agent_id: str) -> list[str]:
    """Ids of the agent's alerts still `new`, best first."""
    cur = await conn.execute(
        "SELECT id FROM trend_alerts WHERE agent_id = %s AND status = 'new' ORDER BY score DESC",
        (agent_id,),
    )
    return [r["id"] for r in await cur.fetchall()]
