"""The review node takes the reviewer from the LangGraph server's authenticated user when the
resume value names none, and refuses a principal of another tenant; the value's own reviewer wins.

Drives the compiled graph in process with the `langgraph_auth_user` langgraph-api puts in the run
config (the server-level proof is tests/e2e/test_server_identity.py).

Proves specs/technical.md §7.8.
"""

from __future__ import annotations

from typing import Any

from langgraph.types import Command

from chimera.control import reviewers
from chimera.resources import Services
from chimera.runs.runner import run_campaign
from chimera.runs.threads import compile_graph
from tests.conftest import ETHIOPIA
from tests.support.platform import scalar

TENANT = "tenant-xyz"


def _config(thread_id: str, tenant: str, user: str | None) -> Any:
    """A run config as langgraph-api builds it for a key of `tenant` bound to `user`."""
    auth_user = {"identity": f"tenant:{tenant}", "tenant_id": tenant}
    if user is not None:
        auth_user["user_ref"] = user
    return {"configurable": {"thread_id": thread_id, "langgraph_auth_user": auth_user}}


async def test_the_key_user_decides_only_for_its_own_tenant(svc: Services, goal: str) -> None:
    """specs/technical.md §7.8"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = summary.pending_reviews[0]["review_id"]
    graph = compile_graph(svc)
    reviewer = reviewers.default_reviewer_email(TENANT)
    for config, error in (
        (_config(summary.thread_id, "tenant-abc", reviewer), "acts for tenant tenant-abc"),
        (_config(summary.thread_id, TENANT, None), "a user id or email is required"),
        (_config(summary.thread_id, TENANT, "user-nobody"), "'user-nobody' not found"),
    ):
        [pending] = (await graph.aget_state(config)).interrupts
        await graph.ainvoke(Command(resume={pending.id: {"type": "accept"}}), config)
        [again] = (await graph.aget_state(config)).interrupts
        assert error in again.value["error"]

    bound = _config(summary.thread_id, TENANT, "user-nobody")
    [pending] = (await graph.aget_state(bound)).interrupts
    reviewer_id = reviewers.user_id_for(TENANT, reviewer)
    answer = {"decision": "approve", "user_id": reviewer_id}
    await graph.ainvoke(Command(resume={pending.id: answer}), bound)
    user = await scalar(svc, TENANT, "SELECT user_id FROM reviews WHERE review_id = %s", review_id)
    assert user == reviewer_id, "the value's reviewer wins over the key's"
