"""The calendar's outbox: publishes due scheduled posts through `post_content`, exactly once.

`drain_once` takes the clock as a parameter (tests control time; no sleeping). Claims are
conditional updates (`chimera.control.outbox`), and every publish reuses the post's idempotency
key, so a post is published once across restarts and concurrent outboxes. Before publishing,
each post is checked again against its campaign's policy of that moment (the operator may have
forbidden its topic since it was deferred): a refused post is not published, ends `refused`
with the reasons in its row, a `publish_refused` audit row and its task's reason, and is
reported by the pass (specs/governance.md §1.4). `run_outbox` is the long-running loop behind
`chimera posts outbox`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chimera.control import occ, outbox, repo
from chimera.control.calendar import PublishGate
from chimera.control.judge_context import persona_for_run
from chimera.control.personas import PersonaError, tenant_persona
from chimera.mcp.errors import InvalidToolArguments, McpCallError, ToolConflict
from chimera.mcp.host import CallIdentity
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.strategies.guardrails import publish_violations
from state.persona import Persona
from state.records import TaskStatus

log = logging.getLogger(__name__)
STALE = timedelta(minutes=5)
RETRY = timedelta(minutes=1)


@dataclass(frozen=True)
class Drained:
    """What one outbox pass did with the posts it claimed."""

    published: list[str] = field(default_factory=list)
    """Calendar ids of the posts published."""
    refused: dict[str, str] = field(default_factory=dict)
    """Calendar id -> why the campaign's current policy refused the post (not published)."""


async def _persona(svc: Services, tenant_id: str, row: dict[str, Any]) -> Persona:
    """The persona the post was deferred under (its agent's SOUL.md for rows without one)."""
    if row["gate"] is not None:
        return PublishGate.model_validate(row["gate"]).persona
    return await tenant_persona(svc.settings.agents_dir, tenant_id, row["agent_id"])


async def violations(svc: Services, tenant_id: str, row: dict[str, Any]) -> list[str]:
    """Why the campaign's current policy forbids the claimed post now (empty: it may go).

    A retaken claim (its process died mid-publish) is not checked again, like a replayed
    commit: it passed when first taken and may already be out; publishing it only records it.

    Args:
        svc: The app services (pool, agents and policies directories).
        tenant_id: The tenant of the post.
        row: The claimed row (`outbox.claim_due`).

    Returns:
        One reason per violated rule; a missing campaign or persona is a reason too.

    """
    if row["retaken"]:
        return []
    try:
        async with tenant_tx(svc.pool, tenant_id) as conn:
            campaign = await occ.read_campaign(conn, row["campaign_id"])
        persona = await _persona(svc, tenant_id, row)
    except (occ.CampaignNotFound, PersonaError) as exc:
        return [f"Cannot check it against the campaign's policy: {exc}."]
    persona = await persona_for_run(svc.settings.policies_dir, persona, campaign)
    source = PublishGate.model_validate(row["gate"]).source_text if row["gate"] else ""
    text = str(row["payload"]["content"]["text"])
    return publish_violations(text, persona, str(row["platform"]), source)


async def _refuse(svc: Services, tenant_id: str, row: dict[str, Any], reasons: list[str]) -> None:
    """Settle the post `refused` and record why: row, task and audit log."""
    reason = "Refused at publish time by the campaign's current policy: " + " ".join(reasons)
    log.warning("scheduled post %s refused: %s", row["id"], reason)
    async with tenant_tx(svc.pool, tenant_id) as conn:
        await outbox.refuse(conn, row["id"], reasons)
        await repo.set_task_status(conn, row["task_id"], TaskStatus.REJECTED, reason)
        detail = {"kind": "post_content", "reasons": reasons, "outbox": True, "post_id": row["id"]}
        ids = {k: row[k] for k in ("agent_id", "campaign_id", "task_id", "thread_id")}
        await repo.audit(conn, tenant_id, "publish_refused", detail=detail, **ids)


async def _publish(svc: Services, tenant_id: str, row: dict[str, Any], now: datetime) -> bool:
    """Publish one claimed post and settle it; True when it is published."""
    who = CallIdentity(tenant_id, row["agent_id"], row["thread_id"] or "outbox")
    args = {**row["payload"], "idempotency_key": row["idempotency_key"]}
    try:
        result = await svc.host.call_tool("social", "post_content", args, who=who)
    except (InvalidToolArguments, ToolConflict) as exc:
        async with tenant_tx(svc.pool, tenant_id) as conn:
            await outbox.settle(conn, row["id"], None, str(exc))
        return False
    except McpCallError as exc:  # transient: back to the calendar, retried later
        log.warning("scheduled post %s not published yet: %s", row["id"], exc)
        async with tenant_tx(svc.pool, tenant_id) as conn:
            await outbox.release(conn, row["id"], now + RETRY)
        return False
    async with tenant_tx(svc.pool, tenant_id) as conn:
        await outbox.settle(conn, row["id"], result, None)
        detail = {"kind": "post_content", "key": row["idempotency_key"], "outbox": True, **result}
        ids = {k: row[k] for k in ("agent_id", "campaign_id", "task_id", "thread_id")}
        await repo.audit(conn, tenant_id, "side_effect", detail=detail, **ids)
    return True


async def drain_once(
    svc: Services, tenant_id: str, now: datetime | None = None, *, stale: timedelta = STALE
) -> Drained:
    """Check and publish the tenant's posts due at `now`; say what was published or refused.

    Args:
        svc: The app services (pool and MCP host).
        tenant_id: The tenant whose calendar is drained.
        now: The outbox clock (defaults to the current time).
        stale: Age after which another process's unfinished claim is taken over.

    Returns:
        The calendar ids published in this pass, and the refused ones with their reasons.

    """
    now = now or datetime.now(UTC)
    async with tenant_tx(svc.pool, tenant_id) as conn:
        claimed = await outbox.claim_due(conn, now, stale=stale)
    drained = Drained()
    for row in claimed:
        if reasons := await violations(svc, tenant_id, row):
            await _refuse(svc, tenant_id, row, reasons)
            drained.refused[row["id"]] = " ".join(reasons)
        elif await _publish(svc, tenant_id, row, now):
            drained.published.append(row["id"])
    return drained


async def run_outbox(svc: Services, tenant_id: str, poll_s: float) -> None:
    """Drain the tenant's calendar every `poll_s` seconds until cancelled."""
    while True:
        try:
            await drain_once(svc, tenant_id)
        except Exception:  # keep the loop alive; the next pass retries
            log.exception("outbox pass failed")
        await asyncio.sleep(poll_s)
