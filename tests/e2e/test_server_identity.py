"""Through `langgraph dev`: a tenant's assistants are its own while the graph assistants stay
shared, and an API key bound to a reviewer decides Agent Inbox responses that name no reviewer.

Proves specs/technical.md §7.7 and §7.8.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from chimera.control import audit as audit_trail
from chimera.control import reviewers
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from tests.e2e.conftest import (
    KEY_ABC,
    KEY_XYZ,
    KEY_XYZ_AS_ABC_USER,
    KEY_XYZ_AS_OPERATOR,
    OPERATOR_XYZ,
    REVIEWER_KEY_ABC,
    REVIEWER_KEY_XYZ,
)

pytestmark = pytest.mark.slow
AGENTS = {"tenant-xyz": "agent-ethiopia-fashion-001", "tenant-abc": "agent-lagos-tech-002"}


def _input(tenant: str) -> dict[str, str]:
    goal = f"Promote the new summer line (identity {uuid.uuid4().hex[:6]})."
    return {"tenant_id": tenant, "agent_id": AGENTS[tenant], "goal": goal}


async def _status(call: object) -> int:
    try:
        await call  # type: ignore[misc]
    except httpx.HTTPStatusError as exc:
        return exc.response.status_code
    return 200


async def _resume(client: LangGraphClient, tid: str, answer: object) -> dict[str, Any]:
    """Answer the thread's one open review with `answer`; the thread's state afterwards."""
    [pending] = (await client.threads.get_state(tid))["interrupts"]
    await client.runs.wait(tid, "campaign", command={"resume": {pending["id"]: answer}})
    return dict(await client.threads.get_state(tid))


async def test_tenant_created_assistants_are_private_graph_ones_shared(server_url: str) -> None:
    """specs/technical.md §7.7"""
    alice = get_client(url=server_url, api_key=KEY_XYZ)
    bob = get_client(url=server_url, api_key=KEY_ABC)
    team = uuid.uuid4().hex[:8]
    mine = await alice.assistants.create(
        "campaign", config={"configurable": {"secret": team}}, metadata={"team": team}
    )
    aid = mine["assistant_id"]
    try:
        assert mine["metadata"] == {"team": team, "tenant_id": "tenant-xyz"}
        await _only_alice_sees(alice, bob, aid, team)
    finally:  # the server is shared: leave only the graph assistants behind
        await alice.assistants.delete(aid)
    assert await _status(alice.assistants.get(aid)) == 404
    forged = bob.assistants.create("campaign", metadata={"created_by": "system"})
    assert await _status(forged) == 403
    for client, tenant in ((alice, "tenant-xyz"), (bob, "tenant-abc")):
        tid = await _paused(client, tenant)
        assert (await client.threads.get_state(tid))["next"] == ["review"], f"{tenant} ran it"


async def _only_alice_sees(
    alice: LangGraphClient, bob: LangGraphClient, aid: str, team: str
) -> None:
    assert await _status(bob.assistants.get(aid)) == 404
    assert await _status(bob.assistants.get_schemas(aid)) == 404
    assert await _status(bob.assistants.update(aid, metadata={"team": "bob"})) == 404
    assert await _status(bob.assistants.delete(aid)) == 404
    assert await bob.assistants.search(metadata={"team": team}) == []
    seen_by_bob = await bob.assistants.search(limit=1000)
    assert aid not in {a["assistant_id"] for a in seen_by_bob}
    system = {a["graph_id"] for a in seen_by_bob if a["metadata"].get("created_by") == "system"}
    assert "campaign" in system
    assert (await alice.assistants.get(aid))["config"]["configurable"]["secret"] == team
    found = await alice.assistants.search(metadata={"team": team})
    assert [a["assistant_id"] for a in found] == [aid]
    thread = await bob.threads.create()
    assert await _status(bob.runs.wait(thread["thread_id"], aid, input=_input("tenant-abc"))) == 404


async def _paused(client: LangGraphClient, tenant: str) -> str:
    """A new thread of `tenant` whose campaign run waits at its one review."""
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "campaign", input=_input(tenant))
    assert (await client.threads.get(thread["thread_id"]))["status"] == "interrupted"
    return str(thread["thread_id"])


async def _decisions(svc: Services, tenant: str, tid: str) -> list[dict[str, Any]]:
    async with tenant_tx(svc.pool, tenant) as conn:
        rows = await conn.execute(
            "SELECT event, user_id, detail FROM audit_log WHERE thread_id = %s"
            " AND event IN ('review_decision', 'review_answer_refused') ORDER BY id",
            (tid,),
        )
        return [dict(r) for r in await rows.fetchall()]


async def test_a_reviewer_bound_key_accepts_from_agent_inbox(
    server_url: str, svc: Services
) -> None:
    """specs/technical.md §7.8"""
    async with tenant_tx(svc.pool, "tenant-xyz") as conn:
        await reviewers.add_user(conn, "tenant-xyz", OPERATOR_XYZ, "network_operator")
    accept = [{"type": "accept", "args": None}]
    plain = get_client(url=server_url, api_key=KEY_XYZ)
    tid = await _paused(plain, "tenant-xyz")
    before = (await plain.threads.get_state(tid))["values"]["published"]
    for key, error in (
        (KEY_XYZ, "a user id or email is required for this decision"),
        (KEY_XYZ_AS_ABC_USER, "user 'reviewer@tenant-abc.local' not found for this tenant"),
        (KEY_XYZ_AS_OPERATOR, "has role network_operator; needs admin or reviewer"),
    ):
        state = await _resume(get_client(url=server_url, api_key=key), tid, accept)
        [again] = state["interrupts"]
        assert error in again["value"]["error"], key
        assert state["values"]["published"] == before, "a refused answer publishes nothing"

    state = await _resume(get_client(url=server_url, api_key=REVIEWER_KEY_XYZ), tid, accept)
    assert state["next"] == [] and state["values"]["report"]["pending_reviews"] == []
    assert set(state["values"]["report"]["tasks"].values()) == {"done"}
    reviewer = reviewers.user_id_for("tenant-xyz", "reviewer@tenant-xyz.local")
    audit = await _decisions(svc, "tenant-xyz", tid)
    assert [a["event"] for a in audit] == ["review_answer_refused"] * 3 + ["review_decision"]
    assert audit[-1]["user_id"] == reviewer and audit[-1]["detail"]["decision"] == "approve"
    async with tenant_tx(svc.pool, "tenant-xyz") as conn:
        chains = await audit_trail.trace(conn, state["values"]["campaign_id"])
    assert [c["reviewer"] for c in chains if c["reviewer"]] == [reviewer]


async def test_an_agent_inbox_edit_needs_no_reviewer_in_the_payload(
    server_url: str, svc: Services
) -> None:
    """specs/technical.md §7.8"""
    client = get_client(url=server_url, api_key=REVIEWER_KEY_ABC)
    tid = await _paused(client, "tenant-abc")
    [pending] = (await client.threads.get_state(tid))["interrupts"]
    request = pending["value"]["action_request"]
    text = f"Edited through Agent Inbox {uuid.uuid4().hex[:6]}. #AIcreator"
    edit = {"type": "edit", "args": {**request, "args": {**request["args"], "text": text}}}
    state = await _resume(client, tid, [edit])
    assert state["values"]["report"]["pending_reviews"] == []
    assert text in {p["text"] for p in state["values"]["published"].values()}
    [decision] = await _decisions(svc, "tenant-abc", tid)
    assert decision["user_id"] == reviewers.user_id_for("tenant-abc", "reviewer@tenant-abc.local")
