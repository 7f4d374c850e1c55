"""The LangGraph server maps API keys to tenants and filters threads, runs and the store by
tenant: tenant B can neither read nor resume tenant A's paused thread through the API.

Proves specs/technical.md §7.2 and specs/functional.md §10.5.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from langgraph_sdk import get_client

from chimera.control.reviewers import default_reviewer_email, user_id_for
from tests.e2e.conftest import KEY_ABC, KEY_XYZ

ALICE_REVIEWER = user_id_for("tenant-xyz", default_reviewer_email("tenant-xyz"))
pytestmark = pytest.mark.slow


def _input(tenant: str) -> dict[str, str]:
    goal = f"Promote the new Ethiopian summer fashion line (auth {uuid.uuid4().hex[:6]})."
    return {"tenant_id": tenant, "agent_id": "agent-ethiopia-fashion-001", "goal": goal}


async def _status(call: object) -> int:
    try:
        await call  # type: ignore[misc]
    except httpx.HTTPStatusError as exc:
        return exc.response.status_code
    return 200


async def test_tenant_b_cannot_read_or_resume_tenant_a_thread(server_url: str) -> None:
    """specs/technical.md §7.2"""
    alice = get_client(url=server_url, api_key=KEY_XYZ)
    bob = get_client(url=server_url, api_key=KEY_ABC)
    thread = await alice.threads.create()
    tid = thread["thread_id"]
    assert thread["metadata"]["tenant_id"] == "tenant-xyz"
    await alice.runs.wait(tid, "campaign", input=_input("tenant-xyz"))
    [pending] = (await alice.threads.get_state(tid))["interrupts"]
    resume = {"resume": {pending["id"]: {"decision": "approve", "user_id": "mallory"}}}

    assert await _status(bob.threads.get(tid)) == 404
    assert await _status(bob.threads.get_state(tid)) == 404
    assert await _status(bob.threads.get_history(tid)) == 404
    assert await _status(bob.runs.list(tid)) == 404
    assert await _status(bob.runs.wait(tid, "campaign", command=resume)) == 404
    assert tid not in {t["thread_id"] for t in await bob.threads.search(limit=1000)}
    assert tid in {t["thread_id"] for t in await alice.threads.search(limit=1000)}

    state = await alice.threads.get_state(tid)
    assert [i["id"] for i in state["interrupts"]] == [pending["id"]], "still waiting for alice"
    own = {"resume": {pending["id"]: {"decision": "approve", "user_id": ALICE_REVIEWER}}}
    await alice.runs.wait(tid, "campaign", command=own)
    assert (await alice.threads.get_state(tid))["values"]["report"]["pending_reviews"] == []


async def test_a_run_cannot_act_for_another_tenant(server_url: str) -> None:
    """specs/technical.md §7.2"""
    bob = get_client(url=server_url, api_key=KEY_ABC)
    thread = await bob.threads.create()
    status = await _status(
        bob.runs.wait(thread["thread_id"], "campaign", input=_input("tenant-xyz"))
    )
    assert status == 403


async def test_requests_without_a_known_key_are_unauthorized(server_url: str) -> None:
    """specs/technical.md §7.2"""
    assert await _status(get_client(url=server_url, api_key="wrong").threads.create()) == 401
    async with httpx.AsyncClient(base_url=server_url) as raw:
        assert (await raw.post("/threads/search", json={})).status_code == 401


async def test_store_namespaces_are_scoped_to_the_callers_tenant(server_url: str) -> None:
    """specs/technical.md §7.2"""
    alice = get_client(url=server_url, api_key=KEY_XYZ)
    bob = get_client(url=server_url, api_key=KEY_ABC)
    await alice.store.put_item(["tenant-xyz", "notes"], "n1", {"text": "secret plan"})
    assert (await alice.store.get_item(["tenant-xyz", "notes"], "n1"))["value"]["text"]
    assert await _status(bob.store.get_item(["tenant-xyz", "notes"], "n1")) == 403
    assert await _status(bob.store.put_item(["tenant-xyz", "notes"], "n2", {"x": 1})) == 403
    await bob.store.put_item(["tenant-abc", "notes"], "n1", {"text": "bob's note"})
    found = (await bob.store.search_items([], limit=100))["items"]
    assert {tuple(i["namespace"]) for i in found} == {("tenant-abc", "notes")}
