"""Agent Inbox compatibility: the interrupt carries no null arg, and a refused Accept says why in
the `description` Agent Inbox shows. The resume values are exactly what the app sends: a
one-element list `[{"type": "accept", "args": null}]`, unkeyed.

Proves specs/console.md §6.
"""

from __future__ import annotations

from typing import Any

from langgraph.types import Command

from chimera.resources import Services
from chimera.runs.runner import run_campaign
from chimera.runs.threads import compile_graph
from tests.conftest import ETHIOPIA
from tests.support.platform import scalar

TENANT = "tenant-xyz"
ACCEPT = [{"type": "accept", "args": None}]
"""What Agent Inbox's Accept sends as `command.resume` (useInterruptedActions.handleSubmit)."""


def _config(thread_id: str, user: str | None) -> Any:
    """A run config as langgraph-api builds it for a key of tenant-xyz (bound to `user`)."""
    auth_user: dict[str, str] = {"identity": f"tenant:{TENANT}", "tenant_id": TENANT}
    if user is not None:
        auth_user["user_ref"] = user
    return {"configurable": {"thread_id": thread_id, "langgraph_auth_user": auth_user}}


async def test_a_post_review_sends_agent_inbox_no_null_arg(svc: Services, goal: str) -> None:
    """specs/console.md §6"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    graph = compile_graph(svc)
    [pending] = (await graph.aget_state(_config(summary.thread_id, None))).interrupts
    args = pending.value["action_request"]["args"]
    assert args["text"] and args["platform"]
    assert all(isinstance(v, str) for v in args.values()), args


async def test_a_tenant_only_keys_accept_is_refused_with_the_reason_in_the_description(
    svc: Services, goal: str
) -> None:
    """specs/console.md §6"""
    summary = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    review_id = summary.pending_reviews[0]["review_id"]
    graph = compile_graph(svc)
    config = _config(summary.thread_id, None)
    await graph.ainvoke(Command(resume=ACCEPT), config)
    [again] = (await graph.aget_state(config)).interrupts
    description = again.value["description"]
    assert description.startswith("**Your last answer was refused:**")
    assert "a user id or email is required" in description
    assert description.count("Your last answer was refused") == 1
    status = "SELECT status FROM reviews WHERE review_id = %s"
    assert await scalar(svc, TENANT, status, review_id) == "pending"

    bound = _config(summary.thread_id, "reviewer@tenant-xyz.local")
    await graph.ainvoke(Command(resume=ACCEPT), bound)
    assert await scalar(svc, TENANT, status, review_id) == "approve"
