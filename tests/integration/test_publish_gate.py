"""Every text about to be published passes the campaign's current policy, whoever wrote it.

Proves specs/governance.md §1, §2.
"""

from __future__ import annotations

import pytest

from chimera.control import occ
from chimera.control.errors import DecisionRefused
from chimera.control.policy import PolicyOverrides
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs import inbox
from chimera.runs.runner import resume_review, run_campaign
from state.review import ReviewDecision
from tests.conftest import ETHIOPIA
from tests.support.governance import campaign_with_policy, events, expire_now
from tests.support.platform import platform_posts, scalar

TENANT = "tenant-xyz"


async def _paused(svc: Services, goal: str) -> tuple[str, str]:
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert summary.state == "paused"
    return summary.campaign_id, summary.pending_reviews[0]["review_id"]


async def _status(svc: Services, review_id: str) -> str:
    sql = "SELECT status FROM reviews WHERE review_id = %s"
    return str(await scalar(svc, TENANT, sql, review_id))


async def _edit(svc: Services, review_id: str, text: str) -> str:
    """Answer the review with an edit; the run's state afterwards."""
    decision = ReviewDecision(decision="edit", text=text)
    summary = await resume_review(svc, tenant_id=TENANT, review_id=review_id, decision=decision)
    return summary.state


async def _refused_edit(
    svc: Services, campaign_id: str, review_id: str, text: str, why: str
) -> dict[str, str]:
    """An edit refused for `why`: nothing published, the review pending; the refusal's detail."""
    before = await platform_posts(svc, TENANT, campaign_id)
    with pytest.raises(DecisionRefused, match=why):
        await _edit(svc, review_id, text)
    assert await platform_posts(svc, TENANT, campaign_id) == before
    assert await _status(svc, review_id) == "pending"
    [refused] = await events(svc, campaign_id, "review_answer_refused")
    return dict(refused["detail"])


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Yes! Put all your savings in, guaranteed 10x returns.", "Missing AI disclosure"),
        ("Vote in the election, then shop the drop! #AIcreator", "forbidden topics: politics"),
    ],
)
async def test_an_edit_breaking_the_policy_is_refused_and_the_review_keeps_waiting(
    svc: Services, goal: str, text: str, why: str
) -> None:
    """specs/governance.md §1.2"""
    campaign_id, review_id = await _paused(svc, goal)
    refused = await _refused_edit(svc, campaign_id, review_id, text, why)
    assert why in refused["error"]
    good = "Thanks for asking! I talk style, not money. #AIcreator"
    assert await _edit(svc, review_id, good) == "done"
    assert good in [p["text"] for p in await platform_posts(svc, TENANT, campaign_id)]


async def test_an_approval_after_the_topic_was_forbidden_publishes_nothing_and_says_why(
    svc: Services, goal: str
) -> None:
    """specs/governance.md §1.3, §2.1"""
    campaign_id, review_id = await _paused(svc, goal)
    before = await platform_posts(svc, TENANT, campaign_id)
    async with tenant_tx(svc.pool, TENANT) as conn:
        await occ.update_campaign(
            conn,
            campaign_id,
            goal=None,
            overrides=PolicyOverrides(forbidden_topics=["finance"]),
            expected_version=None,
            user_id=None,
        )
    done = await resume_review(
        svc, tenant_id=TENANT, review_id=review_id, decision=ReviewDecision(decision="approve")
    )
    assert await platform_posts(svc, TENANT, campaign_id) == before
    assert done.state == "done"
    [rejudged] = await events(svc, campaign_id, "review_rejudged")
    assert rejudged["detail"]["outcome"] == "reject"
    assert any("forbidden topics: finance" in r for r in rejudged["detail"]["reasons"])
    assert "persona_constraints" in rejudged["detail"]["changed"]
    assert await _status(svc, review_id) == "approve"


async def test_an_expiry_approving_by_default_is_rejudged_like_a_human_approval(
    svc: Services, goal: str
) -> None:
    """specs/governance.md §2.1 (expiry default action)"""
    campaign_id = await campaign_with_policy(svc, goal, review_default_action="approve")
    _, review_id = await _paused(svc, goal)
    before = await platform_posts(svc, TENANT, campaign_id)
    async with tenant_tx(svc.pool, TENANT) as conn:
        await occ.update_campaign(
            conn,
            campaign_id,
            goal=None,
            overrides=PolicyOverrides(forbidden_topics=["finance"]),
            expected_version=None,
            user_id=None,
        )
    await expire_now(svc, TENANT, review_id)
    assert await inbox.expire_due(svc, TENANT, campaign_id=campaign_id) == [review_id]
    assert await platform_posts(svc, TENANT, campaign_id) == before
    [rejudged] = await events(svc, campaign_id, "review_rejudged")
    assert rejudged["detail"]["outcome"] == "reject"
    assert await _status(svc, review_id) == "expired"


async def test_an_edit_dropping_ad_from_a_sponsored_campaigns_text_is_refused_and_keeps_waiting(
    svc: Services, goal: str
) -> None:
    """specs/governance.md §1.1 (sponsor disclosure), §1.2, specs/economics.md §4.3"""
    campaign_id = await campaign_with_policy(svc, goal, sponsor="Brand ABC")
    _, review_id = await _paused(svc, goal)
    dropped = "Thanks for asking! I talk style, not money. #AIcreator"
    why = "paid-partnership disclosure"
    refused = await _refused_edit(svc, campaign_id, review_id, dropped, why)
    assert "Brand ABC" in refused["error"] and "#ad" in refused["error"]
    tagged = dropped.replace("#AIcreator", "#ad #AIcreator")
    assert await _edit(svc, review_id, tagged) == "done"
    assert tagged in [p["text"] for p in await platform_posts(svc, TENANT, campaign_id)]
