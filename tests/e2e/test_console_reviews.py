"""The console in a real browser, served by `langgraph dev`: sign in, approve, edit, reject.

Proves specs/console.md §1, §2.1, §2.2, §2.3, §3 and §5.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from chimera.resources import Services
from chimera.runs.runner import run_campaign
from tests.conftest import ETHIOPIA
from tests.e2e.conftest import REVIEWER_KEY_ABC, REVIEWER_KEY_XYZ
from tests.support.browser import chromium, screenshot, sign_in
from tests.support.governance import campaign_with_policy
from tests.support.platform import platform_posts, scalar

pytestmark = pytest.mark.slow
TENANT = "tenant-xyz"
STATUS = "SELECT status || '/' || coalesce(decision, '-') FROM reviews WHERE review_id = %s"


async def _paused_campaign(svc: Services, goal: str) -> tuple[str, list[str]]:
    """A campaign of tenant-xyz paused on two reviews (a sensitive topic forces them)."""
    campaign_id = await campaign_with_policy(svc, goal, sensitive_topics=["fashion"])
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    assert summary.state == "paused"
    return campaign_id, [r["review_id"] for r in summary.pending_reviews]


def _card(page: Page, review_id: str) -> Locator:
    return page.locator(f"#review-{review_id}")


async def test_a_reviewer_approves_edits_and_rejects_in_the_browser(
    svc: Services, server_url: str, goal: str, tmp_path: Path
) -> None:
    """specs/console.md §1, §2.1, §2.2"""
    campaign_id, (first, second) = await _paused_campaign(svc, goal)
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        await sign_in(page, server_url, REVIEWER_KEY_XYZ)
        await page.goto(f"{server_url}/console/reviews?campaign={campaign_id}")
        await expect(_card(page, first)).to_contain_text("fashion")
        await expect(_card(page, first)).to_contain_text("left")
        await screenshot(page, tmp_path, "reviews")

        card = _card(page, second)
        await card.get_by_text("Edit", exact=True).click()
        await card.get_by_label("New text").fill("Vote for my party: politics first! #AIcreator")
        await card.get_by_role("button", name="Submit edit").click()
        await expect(_card(page, second).get_by_role("alert")).to_contain_text("forbidden")
        assert await scalar(svc, TENANT, STATUS, second) == "pending/-"
        await screenshot(page, tmp_path, "edit-refused")

        await _card(page, first).get_by_role("button", name="Approve").click()
        await expect(_card(page, first)).to_have_count(0)
        assert await scalar(svc, TENANT, STATUS, first) == "approve/approve"

        card = _card(page, second)
        await card.get_by_text("Edit", exact=True).click()
        edited = "Handwoven cotton from Addis, made to last. #AIcreator"
        await card.get_by_label("New text").fill(edited)
        await card.get_by_role("button", name="Submit edit").click()
        await expect(_card(page, second)).to_have_count(0)
        await page.goto(f"{server_url}/console/fleet")
        await expect(page.locator("main")).to_contain_text(ETHIOPIA)
        await screenshot(page, tmp_path, "fleet")
        await page.goto(f"{server_url}/console/campaigns/{campaign_id}")
        await expect(page.locator("#goal")).to_contain_text(goal)
        await screenshot(page, tmp_path, "campaign")
    assert await scalar(svc, TENANT, STATUS, second) == "edit/edit"
    assert edited in [p["text"] for p in await platform_posts(svc, TENANT, campaign_id)]


async def test_reject_with_a_reason_works_with_javascript_off(
    svc: Services, server_url: str, goal: str
) -> None:
    """specs/console.md §2.2, §3"""
    campaign_id, (first, second) = await _paused_campaign(svc, goal)
    async with chromium() as browser:
        page = await (await browser.new_context(java_script_enabled=False)).new_page()
        await sign_in(page, server_url, REVIEWER_KEY_XYZ)
        await page.goto(f"{server_url}/console/reviews?campaign={campaign_id}")
        card = _card(page, first)
        await card.get_by_label("Reason").fill("Too salesy.")
        await card.get_by_role("button", name="Reject").click()
        await expect(page.get_by_role("status")).to_contain_text("Rejected 1")
        await page.locator(f"#pick-{second}").check()
        await page.get_by_role("button", name="Approve selected").click()
        await expect(page.get_by_role("status")).to_contain_text("Approved 1")
    assert await scalar(svc, TENANT, STATUS, first) == "reject/reject"
    reason = "SELECT notes FROM reviews WHERE review_id = %s"
    assert await scalar(svc, TENANT, reason, first) == "Too salesy."
    assert await scalar(svc, TENANT, STATUS, second) == "approve/approve"


async def test_another_tenants_key_sees_none_of_it(
    svc: Services, server_url: str, goal: str
) -> None:
    """specs/console.md §1, §5"""
    campaign_id, (first, _) = await _paused_campaign(svc, goal)
    async with chromium() as browser:
        page = await browser.new_page()
        await sign_in(page, server_url, REVIEWER_KEY_ABC)
        await page.goto(f"{server_url}/console/reviews?campaign={campaign_id}")
        await expect(page.locator("article.review")).to_have_count(0)
        response = await page.goto(f"{server_url}/console/campaigns/{campaign_id}")
        assert response is not None and response.status == 404
        await page.goto(f"{server_url}/console/fleet")
        await expect(page.locator("main")).not_to_contain_text(ETHIOPIA)
    assert await scalar(svc, TENANT, STATUS, first) == "pending/-"
