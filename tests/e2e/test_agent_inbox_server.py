"""Agent Inbox against `langgraph dev`, with exactly the requests the app makes.

"Mark as Resolved" is `threads.updateState(threadId, {values: null, asNode: "__end__"})`; it is
refused while a review waits, with the reason, so the thread never looks finished with a review
left pending. A tenant-only key's Accept (`command.resume = [{"type": "accept", "args": null}]`,
unkeyed) is asked again with the reason in `description`.

Proves specs/console.md §6.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from langgraph_sdk import get_client

from chimera.resources import Services
from tests.e2e.conftest import KEY_XYZ, REVIEWER_KEY_XYZ
from tests.support.platform import scalar

pytestmark = pytest.mark.slow
TENANT = "tenant-xyz"
ACCEPT = [{"type": "accept", "args": None}]
PENDING = "SELECT count(*) FROM reviews WHERE thread_id = %s AND status = 'pending'"


async def _paused(server_url: str) -> str:
    client = get_client(url=server_url, api_key=KEY_XYZ)
    thread = await client.threads.create()
    goal = f"Promote the new summer line (inbox {uuid.uuid4().hex[:6]})."
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

    await client.runs.wait(tid, "campaign", command={"resume": ACCEPT})
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
