"""The console's operator pages in process: fleet pause / resume, the calendar, spend and P&L.

Proves specs/console.md §4.1, §4.2 and §4.3 (forms, validation, roles, tenancy).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from chimera.control.pnl import PnlQuery, pnl
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from tests.support.console import (
    add_operator,
    console_client,
    published_post,
    scheduled_post,
)
from tests.support.economics import fresh_agent
from tests.support.platform import scalar

TENANT = "tenant-xyz"
OPERATOR = "ops-console-pages@tenant-xyz.example"
OPERATOR_ABC = "ops-console-pages@tenant-abc.example"
KEYS = {
    "k-xyz": "tenant-xyz:reviewer@tenant-xyz.local",
    "k-abc": "tenant-abc:reviewer@tenant-abc.local",
    "k-ops": f"tenant-xyz:{OPERATOR}",
    "k-abc-ops": f"tenant-abc:{OPERATOR_ABC}",
}
AGENT_STATUS = "SELECT status FROM agents WHERE id = %s"
POST = "SELECT status || ' ' || to_char(publish_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
POST += " FROM posts WHERE id = %s"


async def test_an_operator_pauses_and_resumes_an_agent_and_a_reviewer_cannot(
    svc: Services,
) -> None:
    """specs/console.md §4.1 (pause and resume, operator role, CSRF, audited), §4.2 (role)"""
    agent = (await fresh_agent(svc, TENANT)).agent_id
    await add_operator(svc, TENANT, OPERATOR)
    async with console_client(svc, KEYS, "k-xyz") as (client, csrf):
        refused = await client.post(f"/console/agents/{agent}/pause", data={"csrf": csrf})
        forged = await client.post(f"/console/agents/{agent}/pause", data={"csrf": "x"})
    assert refused.status_code == 403 and "needs admin or network_operator" in refused.text
    assert forged.status_code == 403
    assert await scalar(svc, TENANT, AGENT_STATUS, agent) == "active"
    post = await scheduled_post(svc, agent, datetime.now(UTC) + timedelta(hours=1), TENANT)
    async with console_client(svc, KEYS, "k-xyz") as (client, csrf):
        cancel = await client.post(f"/console/posts/{post}/cancel", data={"csrf": csrf})
    assert cancel.status_code == 403 and "needs admin or network_operator" in cancel.text
    assert (await scalar(svc, TENANT, POST, post)).startswith("scheduled")
    async with console_client(svc, KEYS, "k-ops") as (client, csrf):
        paused = await client.post(f"/console/agents/{agent}/pause", data={"csrf": csrf})
        assert paused.status_code == 303 and "is%20paused" in paused.headers["location"]
        assert await scalar(svc, TENANT, AGENT_STATUS, agent) == "paused"
        fleet = await client.get("/console/fleet")
        assert re.search(rf"Resume<span class=\"sr\"> {agent}<", fleet.text)
        await client.post(f"/console/agents/{agent}/resume", data={"csrf": csrf})
    assert await scalar(svc, TENANT, AGENT_STATUS, agent) == "active"
    audited = (
        "SELECT string_agg(event, ',' ORDER BY id) FROM audit_log"
        " WHERE agent_id = %s AND event LIKE 'agent_%%'"
    )
    assert await scalar(svc, TENANT, audited, agent) == "agent_paused,agent_resumed"


async def test_another_tenants_agent_and_post_are_not_found(svc: Services) -> None:
    """specs/console.md §1, §4.1, §4.2 (tenant-scoped)"""
    agent = (await fresh_agent(svc, TENANT)).agent_id
    post = await scheduled_post(svc, agent, datetime.now(UTC) + timedelta(hours=5), TENANT)
    await add_operator(svc, "tenant-abc", OPERATOR_ABC)
    async with console_client(svc, KEYS, "k-abc-ops") as (client, csrf):
        pause = await client.post(f"/console/agents/{agent}/pause", data={"csrf": csrf})
        cancel = await client.post(f"/console/posts/{post}/cancel", data={"csrf": csrf})
        week = await client.get("/console/calendar")
        spend = await client.get("/console/spend")
    assert pause.status_code == cancel.status_code == 404
    assert post not in week.text and agent not in spend.text
    assert await scalar(svc, TENANT, AGENT_STATUS, agent) == "active"
    assert (await scalar(svc, TENANT, POST, post)).startswith("scheduled")


async def test_the_calendar_validates_a_new_time_then_reschedules_and_cancels(
    svc: Services,
) -> None:
    """specs/console.md §4.2 (week view, validated reschedule, cancel)"""
    agent = (await fresh_agent(svc, TENANT)).agent_id
    await add_operator(svc, TENANT, OPERATOR)
    at = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
    post = await scheduled_post(svc, agent, at, TENANT)
    url = f"/console/posts/{post}/reschedule"
    async with console_client(svc, KEYS, "k-ops") as (client, csrf):
        week = await client.get(f"/console/calendar?agent={agent}&week={at:%Y-%m-%d}")
        assert f'id="post-{post}"' in week.text and "Previous week" in week.text
        bad = await client.post(url, data={"csrf": csrf, "at": "next tuesday", "agent": agent})
        past = await client.post(url, data={"csrf": csrf, "at": "2020-01-01T10:00"})
        assert await scalar(svc, TENANT, POST, post) == f"scheduled {at:%Y-%m-%d %H:%M}"
        new = at + timedelta(days=1)
        moved = await client.post(url, data={"csrf": csrf, "at": f"{new:%Y-%m-%dT%H:%M}"})
        assert await scalar(svc, TENANT, POST, post) == f"scheduled {new:%Y-%m-%d %H:%M}"
        cancel = await client.post(f"/console/posts/{post}/cancel", data={"csrf": csrf})
        again = await client.post(f"/console/posts/{post}/cancel", data={"csrf": csrf})
    assert bad.status_code == 422 and "is not a date and time" in bad.text
    assert f'name="agent" value="{agent}"' in bad.text, "the refused page keeps the filter"
    assert past.status_code == 422 and "is in the past" in past.text
    assert moved.status_code == cancel.status_code == 303
    assert again.status_code == 422 and "not scheduled" in again.text
    assert (await scalar(svc, TENANT, POST, post)).startswith("cancelled")


async def test_the_spend_page_shows_the_numbers_of_chimera_pnl(svc: Services) -> None:
    """specs/console.md §4.3 (the same P&L as `chimera pnl`, charts with a table)"""
    agent = (await fresh_agent(svc, TENANT)).agent_id
    campaign = f"cmp-spend-{uuid.uuid4().hex[:8]}"
    await published_post(svc, TENANT, agent, campaign, 3000, "0.04")
    await published_post(svc, TENANT, agent, campaign, 1000, "0.50")
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=6), today + timedelta(days=1)
    query = PnlQuery(
        TENANT, agent, None, *(datetime(d.year, d.month, d.day, tzinfo=UTC) for d in (start, end))
    )
    async with tenant_tx(svc.pool, TENANT) as conn:
        report = await pnl(conn, query)
    async with console_client(svc, KEYS, "k-xyz") as (client, _):
        page = await client.get(f"/console/spend?agent={agent}&from={start}&to={end}")
    assert page.status_code == 200 and page.text.count("<svg") >= 5
    cells = dict(re.findall(r'data-key="([^"]+)">([^<]*)<', page.text))
    assert cells["net"] == report["net"] == "-1.08"
    assert cells["costs.total"] == report["costs"]["total"]
    assert cells["engagement.views"] == str(report["engagement"]["views"]) == "4000"
    assert cells["counts.posts"] == "2" and campaign in page.text
