"""The console app in process (no browser): sign-in, CSRF, tenancy and the OCC campaign form.

Proves specs/console.md §1, §2.3 and §4.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import httpx

from chimera.control import reviewers
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs import inbox
from chimera.runs.runner import run_campaign
from tests.conftest import ETHIOPIA
from tests.support.console import console_client
from tests.support.platform import scalar

TENANT = "tenant-xyz"
OPERATOR = "ops-console@tenant-xyz.example"
KEYS = {
    "k-xyz": "tenant-xyz:reviewer@tenant-xyz.local",
    "k-abc": "tenant-abc:reviewer@tenant-abc.local",
    "k-ops": f"tenant-xyz:{OPERATOR}",
}
STATUS = "SELECT status FROM reviews WHERE review_id = %s"


def _console(
    svc: Services, key: str | None
) -> AbstractAsyncContextManager[tuple[httpx.AsyncClient, str]]:
    """A client of the console over `svc` (with KEYS), signed in with `key`; and its CSRF token."""
    return console_client(svc, KEYS, key)


async def test_an_unknown_key_is_refused_and_pages_need_sign_in(svc: Services) -> None:
    """specs/console.md §1"""
    async with _console(svc, None) as (client, csrf):
        page = await client.get("/console/reviews")
        assert page.status_code == 303 and page.headers["location"] == "/console/signin"
        bad = await client.post("/console/signin", data={"csrf": csrf, "api_key": "nope"})
        assert bad.status_code == 401 and "Unknown API key" in bad.text
        cookie = bad.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "nope" not in cookie


async def test_a_form_without_the_csrf_token_changes_nothing(svc: Services, goal: str) -> None:
    """specs/console.md §1"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = summary.pending_reviews[0]["review_id"]
    async with _console(svc, "k-xyz") as (client, _):
        refused = await client.post(f"/console/reviews/{review_id}/approve", data={})
        forged = await client.post(f"/console/reviews/{review_id}/approve", data={"csrf": "x"})
    assert refused.status_code == forged.status_code == 403
    assert await scalar(svc, TENANT, STATUS, review_id) == "pending"


async def test_another_tenants_review_and_campaign_are_not_found(svc: Services, goal: str) -> None:
    """specs/console.md §1"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = summary.pending_reviews[0]["review_id"]
    async with _console(svc, "k-abc") as (client, csrf):
        approve = await client.post(f"/console/reviews/{review_id}/approve", data={"csrf": csrf})
        edit = await client.post(
            f"/console/reviews/{review_id}/edit", data={"csrf": csrf, "text": "x #AIcreator"}
        )
        campaign = await client.get(f"/console/campaigns/{summary.campaign_id}")
        queue = await client.get(f"/console/reviews?campaign={summary.campaign_id}")
    assert approve.status_code == edit.status_code == campaign.status_code == 404
    assert review_id not in queue.text
    assert await scalar(svc, TENANT, STATUS, review_id) == "pending"


async def test_an_edit_missing_the_disclosure_is_refused_before_it_is_sent(
    svc: Services, goal: str
) -> None:
    """specs/console.md §2.3"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = summary.pending_reviews[0]["review_id"]
    assert await inbox.check_edit(svc, TENANT, review_id, "Fine words #AIcreator") == []
    async with _console(svc, "k-xyz") as (client, csrf):
        page = await client.post(
            f"/console/reviews/{review_id}/edit", data={"csrf": csrf, "text": "No label here"}
        )
    assert page.status_code == 422 and "Missing AI disclosure" in page.text
    assert await scalar(svc, TENANT, STATUS, review_id) == "pending"


async def test_the_campaign_form_changes_the_goal_under_occ_by_an_operator_only(
    svc: Services, goal: str
) -> None:
    """specs/console.md §4"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    url = f"/console/campaigns/{summary.campaign_id}"
    async with tenant_tx(svc.pool, TENANT) as conn:
        await reviewers.add_user(conn, TENANT, OPERATOR, "network_operator")
    version = "SELECT state_version FROM campaigns WHERE id = %s"
    before = await scalar(svc, TENANT, version, summary.campaign_id)
    form = {"version": str(before), "goal": "A new goal for the weavers."}
    async with _console(svc, "k-xyz") as (client, csrf):
        reviewer = await client.post(url, data={**form, "csrf": csrf})
    assert reviewer.status_code == 409 and "needs admin or network_operator" in reviewer.text
    async with _console(svc, "k-ops") as (client, csrf):
        done = await client.post(url, data={**form, "csrf": csrf})
        stale = await client.post(url, data={**form, "csrf": csrf, "goal": "Another goal."})
    assert done.status_code == 200 and f"Now at version {before + 1}" in done.text
    assert stale.status_code == 409 and f"version {before + 1}" in stale.text
    assert await scalar(svc, TENANT, version, summary.campaign_id) == before + 1
