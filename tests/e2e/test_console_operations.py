"""The operator pages in a real browser, served by `langgraph dev`: fleet, calendar, spend.

Proves specs/console.md §4.1, §4.2, §4.3 and §5: an operator pauses and resumes an agent and
cancels and reschedules a post (the effect read from Postgres), the spend page shows the numbers
of `chimera.control.pnl`, and another tenant's key sees none of it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, ViewportSize, expect

from chimera.control.pnl import PnlQuery, pnl
from chimera.mcp.host import CallIdentity
from chimera.mcp.wallet import open_wallet_host
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from tests.e2e.conftest import KEY_XYZ_AS_OPERATOR, OPERATOR_XYZ, REVIEWER_KEY_ABC
from tests.support.browser import chromium, screenshot, sign_in
from tests.support.console import add_operator, published_post, scheduled_post
from tests.support.economics import fresh_agent
from tests.support.platform import scalar
from tests.support.wallet import funded_wallet, send_args

pytestmark = pytest.mark.slow
TENANT = "tenant-xyz"
AGENT_STATUS = "SELECT status FROM agents WHERE id = %s"
POST_STATUS = "SELECT status FROM posts WHERE id = %s"
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
async def agent(svc: Services) -> AsyncIterator[CallIdentity]:
    """A fresh agent of tenant-xyz with an operator to act on it."""
    await add_operator(svc, TENANT, OPERATOR_XYZ)
    yield await fresh_agent(svc, TENANT)


async def _economy(svc: Services, who: CallIdentity) -> str:
    """A payment (through the wallet server), a tip, two published posts; the campaign id."""
    campaign = f"cmp-console-{uuid.uuid4().hex[:8]}"
    host = await open_wallet_host(svc.settings, svc.endpoints)
    try:
        wallet = await funded_wallet(host, who)
        pay = send_args(who, wallet["wallet_id"], campaign, amount="12.50")
        await host.call_tool("wallet", "send_transaction", pay, who=who)
        ids = {"tenant_id": TENANT, "agent_id": who.agent_id}
        await host.call_tool("wallet", "devnet_pay", {**ids, "amount": "30.00"}, who=who)
        await host.call_tool(
            "wallet", "scan_income", {"tenant_id": TENANT, "confirmations": 0}, who=who
        )
    finally:
        await host.aclose()
    await published_post(svc, TENANT, who.agent_id, campaign, 3000, "0.04")
    await published_post(svc, TENANT, who.agent_id, campaign, 1000, "0.50")
    return campaign


async def test_an_operator_pauses_and_resumes_an_agent_from_the_fleet_page(
    svc: Services, server_url: str, agent: CallIdentity, tmp_path: Path
) -> None:
    """specs/console.md §4.1 (pause and resume, audited), §5"""
    name = agent.agent_id
    async with chromium() as browser:
        page = await browser.new_page(viewport=PHONE)
        await sign_in(page, server_url, KEY_XYZ_AS_OPERATOR)
        await page.get_by_role("link", name="Fleet").click()
        await page.get_by_role("button", name=f"Pause {name}").click()
        await expect(page.get_by_role("status")).to_contain_text(f"{name} is paused")
        assert await scalar(svc, TENANT, AGENT_STATUS, name) == "paused"
        await expect(page.locator(f"#agent-{name}")).to_contain_text("paused")
        await screenshot(page, tmp_path, "fleet-paused")
        await page.get_by_role("button", name=f"Resume {name}").click()
        await expect(page.get_by_role("status")).to_contain_text(f"{name} is active")
    assert await scalar(svc, TENANT, AGENT_STATUS, name) == "active"
    audited = "SELECT string_agg(event, ',' ORDER BY id) FROM audit_log WHERE agent_id = %s"
    assert await scalar(svc, TENANT, audited, name) == "agent_paused,agent_resumed"


async def _reschedule(page: Page, post_id: str, value: str) -> None:
    card = page.locator(f"#post-{post_id}")
    await card.get_by_label("New time (UTC)").fill(value)
    await card.get_by_role("button", name=f"Reschedule post {post_id}").click()


async def test_an_operator_cancels_and_reschedules_posts_on_the_calendar(
    svc: Services, server_url: str, agent: CallIdentity, tmp_path: Path
) -> None:
    """specs/console.md §4.2 (week view, cancel, validated reschedule), §5"""
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    keep = await scheduled_post(svc, agent.agent_id, at, TENANT)
    drop = await scheduled_post(svc, agent.agent_id, at + timedelta(minutes=30), TENANT)
    async with chromium() as browser:
        page = await browser.new_page(viewport=PHONE)
        await sign_in(page, server_url, KEY_XYZ_AS_OPERATOR)
        await page.get_by_role("link", name="Calendar").click()
        await expect(page.locator("h1")).to_contain_text("Calendar")
        week = f"{server_url}/console/calendar?week={at:%Y-%m-%d}"  # `at` may be next week
        await page.goto(week)
        await page.get_by_label("Agent").fill(agent.agent_id)
        await page.get_by_role("button", name="Filter").click()
        await expect(page.locator(f"#post-{keep}")).to_contain_text("scheduled")
        await screenshot(page, tmp_path, "calendar")
        await _reschedule(page, keep, "2020-01-01T10:00")
        await expect(page.locator(f"#post-{keep}").get_by_role("alert")).to_contain_text(
            "in the past"
        )
        await expect(page.get_by_label("Agent")).to_have_value(agent.agent_id)
        await screenshot(page, tmp_path, "calendar-refused")
        later = at + timedelta(days=1)
        await _reschedule(page, keep, f"{later:%Y-%m-%dT%H:%M}")
        await expect(page.get_by_role("status")).to_contain_text(f"{keep} rescheduled")
        await page.goto(f"{week}&agent={agent.agent_id}")
        await page.get_by_role("button", name=f"Cancel post {drop}").click()
        await expect(page.get_by_role("status")).to_contain_text(f"{drop} cancelled")
        await page.get_by_role("link", name="Next week").click()
        await expect(page.locator("h1")).to_contain_text("week of")
    assert await scalar(svc, TENANT, POST_STATUS, drop) == "cancelled"
    moved = "SELECT publish_at FROM posts WHERE id = %s"
    assert await scalar(svc, TENANT, moved, keep) == later


async def test_the_spend_page_charts_the_numbers_of_chimera_pnl(
    svc: Services, server_url: str, agent: CallIdentity, tmp_path: Path
) -> None:
    """specs/console.md §4.3 (the P&L of `chimera pnl`, caps, charts), §5"""
    campaign = await _economy(svc, agent)
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=6), today + timedelta(days=1)
    bounds = [datetime(d.year, d.month, d.day, tzinfo=UTC) for d in (start, end)]
    async with tenant_tx(svc.pool, TENANT) as conn:
        report = await pnl(conn, PnlQuery(TENANT, agent.agent_id, None, *bounds))
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1024, "height": 900})
        await sign_in(page, server_url, KEY_XYZ_AS_OPERATOR)
        await page.goto(f"{server_url}/console/spend?agent={agent.agent_id}&from={start}&to={end}")
        shown = {
            key: (await page.locator(f'[data-key="{key}"]').inner_text()).strip()
            for key in ("income.total", "costs.total", "costs.payments", "net", "engagement.views")
        }
        assert await page.locator("svg.chart").count() >= 6
        await expect(page.locator("#campaigns")).to_contain_text(campaign)
        await expect(page.locator("svg.meters").first).to_contain_text("12.50")
        await screenshot(page, tmp_path, "spend")
        await page.goto(f"{server_url}/console/fleet")
        await expect(page.locator(f"#agent-{agent.agent_id}")).to_contain_text("12.50")
    assert shown == {
        "income.total": report["income"]["total"],
        "costs.total": report["costs"]["total"],
        "costs.payments": report["costs"]["payments"],
        "net": report["net"],
        "engagement.views": str(report["engagement"]["views"]),
    }
    assert report["income"]["total"] == "30.00" and report["costs"]["payments"] == "12.50"


async def test_another_tenants_key_sees_no_agent_post_or_money(
    svc: Services, server_url: str, agent: CallIdentity
) -> None:
    """specs/console.md §1, §4.1, §4.2, §4.3, §5"""
    at = datetime.now(UTC) + timedelta(hours=1)
    post = await scheduled_post(svc, agent.agent_id, at, TENANT)
    await published_post(svc, TENANT, agent.agent_id, "cmp-hidden", 500, "0.10")
    async with chromium() as browser:
        page = await browser.new_page()
        await sign_in(page, server_url, REVIEWER_KEY_ABC)
        for url in ("/console/fleet", "/console/calendar", "/console/spend"):
            await page.goto(f"{server_url}{url}")
            await expect(page.locator("main")).not_to_contain_text(agent.agent_id)
            await expect(page.locator("main")).not_to_contain_text(post)
    assert await scalar(svc, TENANT, POST_STATUS, post) == "scheduled"
