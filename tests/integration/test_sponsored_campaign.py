"""A sponsored campaign, end to end: its published posts carry the paid-partnership disclosure.

See specs/economics.md §4. The campaign's policy names a sponsor; the run drafts, judges and
publishes through the real social server, and the posts the platform holds are checked.
"""

from __future__ import annotations

from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs.runner import run_campaign
from tests.conftest import ETHIOPIA
from tests.support.governance import TENANT, campaign_with_policy


async def test_a_sponsored_campaigns_published_posts_carry_ad_and_name_the_sponsor(
    svc: Services, goal: str
) -> None:
    """specs/economics.md §4.1, §4.2 (a reply about finance still goes to a human, as always)"""
    campaign_id = await campaign_with_policy(svc, goal, sponsor="Brand ABC")
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert summary.campaign_id == campaign_id
    async with tenant_tx(svc.pool, TENANT) as conn:
        rows = await (
            await conn.execute(
                "SELECT text, disclosure, reply_to_id FROM social_posts"
                " WHERE tracking->>'campaign_id' = %s",
                (campaign_id,),
            )
        ).fetchall()
    assert len([r for r in rows if r["reply_to_id"] is None]) == 2  # replies may wait for review
    for row in rows:
        assert "#ad" in row["text"].split()
        assert row["disclosure"]["sponsor"] == "Brand ABC"
        assert row["disclosure"]["compliance_tags"] == ["ai_generated", "ad"]
