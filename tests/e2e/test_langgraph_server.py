"""`langgraph dev` serves the campaign graph with Postgres checkpoints; a whole campaign is driven
through `langgraph_sdk`: thread, streamed run, review interrupt, resume command, final state.

Proves specs/technical.md §7.1 and specs/functional.md §10.2.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import pytest
from langgraph_sdk import get_client

from chimera.control.reviewers import default_reviewer_email, user_id_for
from tests.e2e.conftest import KEY_XYZ

DEFAULT_REVIEWER = user_id_for("tenant-xyz", default_reviewer_email("tenant-xyz"))

pytestmark = pytest.mark.slow


def payload(tenant: str = "tenant-xyz") -> dict[str, str]:
    """A campaign input unique to the test."""
    goal = f"Promote the new Ethiopian summer fashion line (served {uuid.uuid4().hex[:6]})."
    return {"tenant_id": tenant, "agent_id": "agent-ethiopia-fashion-001", "goal": goal}


async def test_a_whole_campaign_runs_pauses_and_resumes_through_the_sdk(server_url: str) -> None:
    """specs/technical.md §7.1"""
    client = get_client(url=server_url, api_key=KEY_XYZ)
    thread = await client.threads.create()
    seen: dict[str, list[Any]] = defaultdict(list)
    async for part in client.runs.stream(
        thread["thread_id"],
        "campaign",
        input=payload(),
        stream_mode=["updates", "custom", "events"],
    ):
        assert part.event != "error", part.data
        seen[part.event].append(part.data)
    updated = {node for update in seen["updates"] for node in update}
    assert {"load_context", "plan", "work", "judge", "commit", "__interrupt__"} <= updated
    started = {e["name"] for e in seen["events"] if e["event"] == "on_chain_start"}
    assert {"load_context", "plan", "work", "judge"} <= started

    state = await client.threads.get_state(thread["thread_id"])
    assert state["next"] == ["review"]
    drafted = {t for t, s in state["values"]["status"].items() if s != "pending"}
    assert {e["task_id"] for e in seen["custom"] if e["stage"] == "work"} == drafted
    [pending] = state["interrupts"]
    review = pending["value"]["review"]
    assert review["risk_category"] == "finance_medium"
    assert pending["value"]["action_request"]["action"]
    assert (await client.threads.get(thread["thread_id"]))["status"] == "interrupted"

    resume = {pending["id"]: {"decision": "approve", "user_id": DEFAULT_REVIEWER}}
    await client.runs.wait(thread["thread_id"], "campaign", command={"resume": resume})
    final = await client.threads.get_state(thread["thread_id"])
    assert final["next"] == []
    report = final["values"]["report"]
    assert report["pending_reviews"] == []
    assert len(report["published"]) == 5
    assert set(report["tasks"].values()) == {"done"}
    assert (await client.threads.get(thread["thread_id"]))["status"] == "idle"
    history = await client.threads.get_history(thread["thread_id"], limit=100)
    assert len(history) > 5, "every superstep is checkpointed in Postgres"


async def test_a_bad_resume_value_asks_again_and_publishes_nothing(server_url: str) -> None:
    """specs/technical.md §7.1"""
    client = get_client(url=server_url, api_key=KEY_XYZ)
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "campaign", input=payload())
    before = await client.threads.get_state(thread["thread_id"])
    [pending] = before["interrupts"]
    bad = {pending["id"]: {"decision": "maybe"}}
    await client.runs.wait(thread["thread_id"], "campaign", command={"resume": bad})
    after = await client.threads.get_state(thread["thread_id"])
    [again] = after["interrupts"]
    assert again["value"]["review"]["review_id"] == pending["value"]["review"]["review_id"]
    assert after["values"]["published"] == before["values"]["published"]
