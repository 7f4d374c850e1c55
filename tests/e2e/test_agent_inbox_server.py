"""Agent Inbox against `langgraph dev`, with exactly the requests the app makes.

"Mark as Resolved" is `threads.updateState(threadId, {values: null, asNode: "__end__"})`; it is
refused while a review waits, with the reason, so the thread never looks finished with a review
left pending. A tenant-only key's Accept (`command.resume = [{"type": "accept", "args": null}]`,
unkeyed) is asked again with the reason in `description`. The same unkeyed Accept on a thread with
two pending reviews (LangGraph cannot tell which it answers) is refused with the reason (409) and
the thread stays interrupted; once one review is left the app's answer goes through.

Proves specs/console.md §6.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from langgraph_sdk import get_client

from chimera.resources import Services
from tests.e2e.conftest import KEY_XYZ, REVIEWER_KEY_XYZ
from tests.support.governance import campaign_with_policy
from tests.support.platform import scalar

pytestmark = pytest.mark.slow
TENANT = "tenant-xyz"
ACCEPT = [{"type": "accept", "args": None}]
PENDING = "SELECT count(*) FROM reviews WHERE thread_id = %s AND status = 'pending'"
WAITING = "SELECT array_agg(review_id) FROM reviews WHERE thread_id = %s AND status = 'pending'"
STILL_PENDING = "SELECT count(*) FROM reviews WHERE review_id = ANY(%s) AND status = 'pending'"


async def _paused(server_url: str, goal: str | None = None) -> str:
    client = get_client(url=server_url, api_key=KEY_XYZ)
    thread = await client.threads.create()
    goal = goal or f"Promote the new summer line (inbox {uuid.uuid4().hex[:6]})."
    run_input = {"tenant_id": TENANT, "agent_id": "agent-ethiopia-fashion-001", "goal": goal}
    await client.runs.wait(thread["thread_id"], "campaign", input=run_input)
    assert (await client.threads.get(thread["thread_id"]))["status"] == "interrupted"
    return str(thread["thread_id"])


async def test_mark_as_resolved_is_refused_while_a_review_waits(
    server_url: str, svc: Services
) -> None:
    """specs/console.md §6"""
    tid = await _paused(server_url)
    client = get_client(url=server_url, api_key=REVIEWER_KEY_XYZ)
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.threads.update_state(tid, None, as_node="__end__")
    assert refused.value.response.status_code == 409
    assert "pending review" in refused.value.response.text
    assert (await client.threads.get(tid))["status"] == "interrupted"
    assert await scalar(svc, TENANT, PENDING, tid) == 1

    out = await client.runs.wait(tid, "campaign", command={"resume": ACCEPT})
    thread = await client.threads.get(tid)
    print(
        "DEBUG",
        str(out)[:600],
        thread["status"],
        [r["status"] for r in await client.runs.list(tid)],
        str(thread["interrupts"])[:1500],
    )
    assert await scalar(svc, TENANT, PENDING, tid) == 0


async def test_a_tenant_only_keys_accept_shows_its_refusal_in_the_description(
    server_url: str, svc: Services
) -> None:
    """specs/console.md §6"""
    tid = await _paused(server_url)
    client = get_client(url=server_url, api_key=KEY_XYZ)
    await client.runs.wait(tid, "campaign", command={"resume": ACCEPT})
    [again] = (await client.threads.get_state(tid))["interrupts"]
    assert "a user id or email is required" in again["value"]["description"]
    assert all(isinstance(v, str) for v in again["value"]["action_request"]["args"].values())
    assert await scalar(svc, TENANT, PENDING, tid) == 1


async def test_the_apps_unkeyed_accept_is_refused_with_the_reason_while_two_reviews_wait(
    server_url: str, svc: Services
) -> None:
    """specs/console.md §6 (several pending reviews in one thread)"""
    goal = f"Promote the new summer fashion line (inbox {uuid.uuid4().hex[:6]})."
    await campaign_with_policy(svc, goal, sensitive_topics=["fashion"])  # two reviews
    tid = await _paused(server_url, goal)
    waiting = await scalar(svc, TENANT, WAITING, tid)
    assert len(waiting) == 2
    client = get_client(url=server_url, api_key=REVIEWER_KEY_XYZ)
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.runs.wait(tid, "campaign", command={"resume": ACCEPT})
    assert refused.value.response.status_code == 409
    assert "2 pending reviews" in refused.value.response.text
    assert "/console/reviews" in refused.value.response.text
    thread = await client.threads.get(tid)
    assert thread["status"] == "interrupted"
    assert await scalar(svc, TENANT, STILL_PENDING, waiting) == 2

    first = next(iter(thread["interrupts"].values()))[0]["id"]
    await client.runs.wait(tid, "campaign", command={"resume": {first: ACCEPT}})
    assert await scalar(svc, TENANT, STILL_PENDING, waiting) == 1
    await client.runs.wait(tid, "campaign", command={"resume": ACCEPT})  # the last one: accepted
    assert await scalar(svc, TENANT, STILL_PENDING, waiting) == 0
