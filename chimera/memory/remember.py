"""What a finished run leaves in memory: posts, decisions and the outcome, in both stores.

`report` calls `remember_run`. Every memory and episode id derives from stable ids (tenant,
campaign, task, thread), never time, so a re-executed report writes nothing twice: the memory
server treats a repeated `memory_id` with the same content as unchanged, and the episodic store
ignores a known event id.
"""

from __future__ import annotations

from chimera.mcp.host import CallIdentity, McpHost
from chimera.platform.episodic import EpisodicMemory
from chimera.platform.ids import stable_id
from state.graph import CampaignState
from state.memory import Episode, MemoryRecord, SourceType
from state.records import RunReport
from state.types import utc_now


def post_memory_id(tenant_id: str, campaign_id: str, task_id: str) -> str:
    """The memory (and episode) id of the post a task published."""
    return stable_id("mem", tenant_id, campaign_id, task_id, "post")


def outcome_text(state: CampaignState, report: RunReport) -> str:
    """One paragraph on how the run went."""
    platforms = sorted({p.platform for p in report.published})
    text = (
        f"Campaign {report.campaign_id} run for goal: {state.get('goal', '')[:300]}. "
        f"Published {len(report.published)} ({', '.join(platforms) or 'none'}); "
        f"{len(report.pending_reviews)} awaiting review; {len(report.rejected)} rejected."
    )
    reasons = "; ".join(r.reason[:120] for r in report.rejected[:3])
    return f"{text} Rejections: {reasons}" if reasons else text


def run_memories(state: CampaignState, report: RunReport) -> list[MemoryRecord]:
    """A semantic memory per published post or reply, and one for the run's outcome."""
    tenant, agent, campaign = state["tenant_id"], state["agent_id"], report.campaign_id
    tasks, now = state.get("tasks", {}), utc_now()
    out = []
    for p in report.published:
        task = tasks.get(p.task_id)
        kind: SourceType = (
            "comment" if task is not None and task.task_type == "reply_comment" else "post"
        )
        out.append(
            MemoryRecord(
                memory_id=post_memory_id(tenant, campaign, p.task_id),
                tenant_id=tenant,
                agent_id=agent,
                source_type=kind,
                source_id=p.external_id,
                text=p.text,
                timestamp=now,
            )
        )
    out.append(
        MemoryRecord(
            memory_id=stable_id("mem", tenant, campaign, report.thread_id, "outcome"),
            tenant_id=tenant,
            agent_id=agent,
            source_type="conversation",
            source_id=report.thread_id,
            text=outcome_text(state, report),
            timestamp=now,
        )
    )
    return out


def run_episodes(state: CampaignState, report: RunReport) -> list[Episode]:
    """Episodes: each post, each rejection decision, and the outcome."""
    tenant, campaign, now = state["tenant_id"], report.campaign_id, utc_now()
    episodes = [
        Episode(
            event_id=post_memory_id(tenant, campaign, p.task_id),
            kind="post",
            campaign_id=campaign,
            text=p.text,
            at=now,
            ref=p.external_id,
        )
        for p in report.published
    ]
    episodes += [
        Episode(
            event_id=stable_id("ep", tenant, campaign, r.task_id, r.reason),
            kind="decision",
            campaign_id=campaign,
            text=f"Rejected by {r.by}: {r.reason[:500]}",
            at=now,
            ref=r.task_id,
        )
        for r in report.rejected
    ]
    episodes.append(
        Episode(
            event_id=stable_id("ep", tenant, campaign, report.thread_id, "outcome"),
            kind="outcome",
            campaign_id=campaign,
            text=outcome_text(state, report),
            at=now,
            ref=report.thread_id,
        )
    )
    return episodes


async def remember_run(
    host: McpHost, episodic: EpisodicMemory, state: CampaignState, report: RunReport
) -> int:
    """Write the run to episodic and semantic memory; returns how many memories were new."""
    who = CallIdentity(state["tenant_id"], state["agent_id"], report.thread_id)
    await episodic.record(who.tenant_id, who.agent_id, run_episodes(state, report))
    created = 0
    for record in run_memories(state, report):
        args = record.model_dump()
        result = await host.call_tool("memory", "upsert_memory", args, who=who)
        created += result["status"] == "created"
    return created
