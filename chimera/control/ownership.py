"""Tenant ownership of ids the caller names: a campaign id of another tenant is not-found.

Row-level security hides other tenants' campaigns, so a lookup under RLS cannot tell a free id
from a taken one; `chimera_campaign_usable` (migration 0007) answers exactly that one question
across tenants and nothing more. Checked before any lease, checkpoint or row is written.
"""

from __future__ import annotations

from chimera.control.errors import CampaignNotFound
from chimera.platform.db import Conn


async def check_campaign_usable(conn: Conn, campaign_id: str) -> None:
    """Refuse a campaign id that belongs to another tenant (free ids and own ids pass).

    Raises:
        CampaignNotFound: the id is taken by another tenant (reported as not found).

    """
    found = await conn.execute("SELECT chimera_campaign_usable(%s) AS ok", (campaign_id,))
    row = await found.fetchone()
    if row is None or not row["ok"]:
        raise CampaignNotFound(f"campaign {campaign_id!r} not found for this tenant")
