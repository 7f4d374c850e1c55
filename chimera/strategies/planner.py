"""Deterministic template planner: one post per targeted platform, replies after the main post.

Every post and reply gets `params.publish_at`, its next free slot in the agent's posting plan.

Replies depend on the primary platform's post ("engage once the drop is live") and answer only
the mentions the engagement ledger handed to this run (`PlanRequest.engagements`: unhandled,
classified, claimed, highest priority first, within the reply cadence). On replan, judge or
reviewer rejections of posts come back as new post tasks with the next trend angle and the
rejection reason; rejected replies are not retried.
"""

from __future__ import annotations

from chimera.strategies.base import PlanRequest
from chimera.strategies.payments import payment_tasks
from chimera.strategies.schedule import schedule_dag
from state.contracts import Priority, TaskType
from state.plan import PlannedTask, TaskDAG


def reply_key(mention_id: str) -> str:
    """The plan key of the reply to a mention."""
    return f"reply-{mention_id}".lower()[:64]


def reply_tasks(request: PlanRequest, primary: str | None) -> list[PlannedTask]:
    """One reply task per engagement the run holds, after the primary post (if there is one)."""
    return [
        PlannedTask(
            key=reply_key(e.mention.mention_id),
            task_type=TaskType.REPLY_COMMENT,
            priority=Priority.MEDIUM if e.action == "escalate" else Priority.LOW,
            depends_on=[primary] if primary else [],
            params={
                "platform": e.mention.platform,
                "mention_id": e.mention.mention_id,
                "author": e.mention.author_handle,
                "mention_text": e.mention.text,
                "intent": str(e.intent),
                "topic": e.topic or "",
                "facts": "\n".join(e.facts)[:2000],
                "escalate": "true" if e.action == "escalate" else "",
            },
        )
        for e in request.engagements
    ]


class TemplatePlanner:
    """Plans from templates; needs no model or key."""

    name = "template-planner-v1"

    async def plan(self, request: PlanRequest) -> TaskDAG:
        """Return the DAG for this goal and persona."""
        persona = request.persona
        if request.context.engagement_only:
            replies = reply_tasks(request, None)
            return TaskDAG(rationale=f"{len(replies)} replies for {persona.name}", tasks=replies)
        angles = [t.keyword for t in request.trends] or list(persona.niche)
        suffix = f"-r{request.attempt}" if request.attempt else ""
        reasons = "; ".join(r.reason for r in request.rejections)[:1500]
        tasks: list[PlannedTask] = []
        for i, platform in enumerate(request.targets[:3]):
            if request.attempt and f"post-{platform}" not in request.redo:
                continue
            params = {"platform": platform, "angle": angles[(i + request.attempt) % len(angles)]}
            if reasons:
                params["avoid"] = reasons
            tasks.append(
                PlannedTask(
                    key=f"post-{platform}{suffix}",
                    task_type=TaskType.PUBLISH_POST,
                    priority=Priority.HIGH if i == 0 else Priority.MEDIUM,
                    params=params,
                )
            )
        if request.attempt == 0 and tasks:
            tasks.extend(reply_tasks(request, tasks[0].key))
        tasks.extend(payment_tasks(request))
        rationale = f"{len(tasks)} tasks for {persona.name}: posts on {request.targets}"
        dag = TaskDAG(rationale=rationale, tasks=tasks)
        return schedule_dag(
            dag, persona.posting, request.now, request.taken_posts, request.taken_replies
        )
