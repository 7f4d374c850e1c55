"""Governance through `langgraph dev` and Agent Inbox responses (specs/governance.md §1.2, §2.1).

An Agent Inbox `edit` that breaks the campaign's policy (a missing AI label, a forbidden topic,
a sponsored campaign's missing `#ad`) is refused: the interrupt is asked again with the reasons
and nothing is published; an approval given after the operator forbade
the reply's topic publishes nothing and the report says why.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from chimera.control import occ
from chimera.control.policy import PolicyOverrides
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from tests.e2e.conftest import REVIEWER_KEY_XYZ

pytestmark = pytest.mark.slow
TENANT = "tenant-xyz"


async def _paused(client: LangGraphClient) -> tuple[str, dict[str, Any]]:
    """A new campaign thread waiting at its one review, and that interrupt."""
    goal = f"Promote the new summer line (governance {uuid.uuid4().hex[:6]})."
    thread = await client.threads.create()
    tid = str(thread["thread_id"])
    run_input = {"tenant_id": TENANT, "agent_id": "agent-ethiopia-fashion-001", "goal": goal}
    await client.runs.wait(tid, "campaign", input=run_input)
    [pending] = (await client.threads.get_state(tid))["interrupts"]
    return tid, pending


async def _answer(client: LangGraphClient, tid: str, answer: object) -> dict[str, Any]:
    [pending] = (await client.threads.get_state(tid))["interrupts"]
    await client.runs.wait(tid, "campaign", command={"resume": {pending["id"]: answer}})
    return dict(await client.threads.get_state(tid))


def _edit(pending: dict[str, Any], text: str) -> list[dict[str, Any]]:
    request = pending["value"]["action_request"]
    return [{"type": "edit", "args": {**request, "args": {**request["args"], "text": text}}}]


async def _review_status(svc: Services, review_id: str) -> str:
    async with tenant_tx(svc.pool, TENANT) as conn:
        cur = await conn.execute("SELECT status FROM reviews WHERE review_id = %s", (review_id,))
        row = await cur.fetchone()
    assert row is not None
    return str(row["status"])


async def test_an_agent_inbox_edit_breaking_the_policy_is_asked_again_with_the_reasons(
    server_url: str, svc: Services
) -> None:
    """specs/governance.md §1.2"""
    client = get_client(url=server_url, api_key=REVIEWER_KEY_XYZ)
    tid, pending = await _paused(client)
    review_id = pending["value"]["review"]["review_id"]
    before = (await client.threads.get_state(tid))["values"]["published"]
    for text, why in (
        ("Yes! Put all your savings in, guaranteed 10x returns.", "Missing AI disclosure"),
        ("Vote in the election, then shop the drop! #AIcreator", "forbidden topics: politics"),
    ):
        state = await _answer(client, tid, _edit(pending, text))
        [again] = state["interrupts"]
        assert why in again["value"]["error"]
        assert state["values"]["published"] == before, "a refused edit publishes nothing"
        assert await _review_status(svc, review_id) == "pending"
    good = f"Style talk only here, friends {uuid.uuid4().hex[:4]}. #AIcreator"
    state = await _answer(client, tid, _edit(pending, good))
    assert state["next"] == []
    assert good in {p["text"] for p in state["values"]["published"].values()}


async def _paused_then_changed(
    client: LangGraphClient, svc: Services, overrides: PolicyOverrides
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A paused review whose campaign the operator then changes: (thread, interrupt, values)."""
    tid, pending = await _paused(client)
    values = (await client.threads.get_state(tid))["values"]
    async with tenant_tx(svc.pool, TENANT) as conn:
        await occ.update_campaign(
            conn,
            values["campaign_id"],
            goal=None,
            overrides=overrides,
            expected_version=None,
            user_id=None,
        )
    return tid, pending, values


async def test_an_approval_after_the_topic_was_forbidden_publishes_nothing_and_says_why(
    server_url: str, svc: Services
) -> None:
    """specs/governance.md §2.1"""
    client = get_client(url=server_url, api_key=REVIEWER_KEY_XYZ)
    tid, pending, values = await _paused_then_changed(
        client, svc, PolicyOverrides(forbidden_topics=["finance"])
    )
    state = await _answer(client, tid, [{"type": "accept", "args": None}])
    report = state["values"]["report"]
    assert state["next"] == [] and report["published"] == list(values["published"].values())
    task_id = pending["value"]["review"]["task_id"]
    assert report["tasks"][task_id] == "rejected"
    assert "forbidden topics: finance" in report["reasons"][task_id]


async def test_an_agent_inbox_edit_dropping_ad_from_a_sponsored_campaign_is_asked_again(
    server_url: str, svc: Services
) -> None:
    """specs/governance.md §1.1 (sponsor disclosure), §1.2, specs/economics.md §4.3"""
    client = get_client(url=server_url, api_key=REVIEWER_KEY_XYZ)
    tid, pending, values = await _paused_then_changed(
        client, svc, PolicyOverrides(sponsor="Brand ABC")
    )
    dropped = f"Style talk only here, friends {uuid.uuid4().hex[:4]}. #AIcreator"
    state = await _answer(client, tid, _edit(pending, dropped))
    [again] = state["interrupts"]
    assert "paid-partnership disclosure (#ad)" in again["value"]["error"]
    assert state["values"]["published"] == values["published"], "a refused edit publishes nothing"
    assert await _review_status(svc, pending["value"]["review"]["review_id"]) == "pending"
    tagged = dropped.replace("#AIcreator", "#ad #AIcreator")
    state = await _answer(client, tid, _edit(pending, tagged))
    assert state["next"] == []
    assert tagged in {p["text"] for p in state["values"]["published"].values()}
