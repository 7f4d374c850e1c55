"""What the judge needs to know about the campaign right now: version, staleness, policy.

Read at judgement time (not only at run start), so an operator's change made during a run
applies to the next artifact judged: a relevant change invalidates older drafts, and new
thresholds, topics and disclosure rules apply at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chimera.control import occ
from chimera.control.policy import (
    PolicyOverrides,
    campaign_overrides,
    effective_context,
    effective_persona,
    load_tenant_policy,
)
from chimera.platform.db import Conn
from state.context import Context
from state.contracts import Task
from state.persona import Persona
from state.records import Envelope


@dataclass(frozen=True)
class Judgement:
    """The campaign as the judge sees it for one artifact."""

    version: int
    goal: str
    ctx: Context
    persona: Persona
    default_action: str
    stale: frozenset[str]
    """Change groups since the artifact's snapshot that matter to its kind (empty: fresh)."""


async def tenant_policy(policies_dir: Path, tenant_id: str) -> PolicyOverrides:
    """The tenant's policy file, read off the event loop."""
    return await asyncio.to_thread(load_tenant_policy, policies_dir, tenant_id)


def merged_policy(tenant: PolicyOverrides, campaign: dict[str, Any]) -> PolicyOverrides:
    """Tenant policy with the campaign's overrides on top."""
    return campaign_overrides(campaign["config"]).over(tenant)


async def context_for_run(
    policies_dir: Path, conn: Conn, tenant_id: str, campaign_id: str, ctx: Context
) -> Context:
    """The run's Context with tenant and campaign policy applied (e.g. the reply cadence)."""
    campaign = await occ.read_campaign(conn, campaign_id)
    policy = merged_policy(await tenant_policy(policies_dir, tenant_id), campaign)
    return effective_context(ctx, policy)


async def persona_for_run(
    policies_dir: Path, persona: Persona, campaign: dict[str, Any]
) -> Persona:
    """The persona with tenant and campaign policy applied (used at run start)."""
    policy = merged_policy(await tenant_policy(policies_dir, persona.tenant_id), campaign)
    return effective_persona(persona, policy)


async def resolve(policies_dir: Path, conn: Conn, env: Envelope, ctx: Context) -> Judgement:
    """The campaign's current version, policy and relevant changes since `env`'s artifact."""
    run = env.run
    campaign = await occ.read_campaign(conn, run.campaign_id)
    version = int(campaign["state_version"])
    snapshot = env.need_artifact().state_snapshot_version
    stale: set[str] = set()
    if version > snapshot:
        changed = await occ.changed_since(conn, run.campaign_id, snapshot)
        stale = occ.relevant(str(env.task.task_type), changed)
    policy = merged_policy(await tenant_policy(policies_dir, run.tenant_id), campaign)
    return Judgement(
        version=version,
        goal=str(campaign["objective"]),
        ctx=effective_context(ctx, policy),
        persona=effective_persona(env.persona, policy),
        default_action=policy.review_default_action or "reject",
        stale=frozenset(stale),
    )


def refreshed(env: Envelope, judgement: Judgement) -> Envelope:
    """The envelope to re-dispatch for a stale artifact: current version, goal and persona."""
    task: Task = env.task
    goal = task.goal.model_copy(update={"goal_description": judgement.goal})
    new_task = task.model_copy(
        update={"goal": goal, "persona_constraints": judgement.persona.constraints}
    )
    return env.model_copy(
        update={
            "run": env.run.model_copy(update={"state_version": judgement.version}),
            "task": new_task,
            "persona": judgement.persona,
            "artifact": None,
            "verdict": None,
            "review": None,
        }
    )
