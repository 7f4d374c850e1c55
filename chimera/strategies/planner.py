"""Deterministic template planner: one post per targeted platform, replies after the main post.

Every post and reply gets `params.publish_at`, its next free slot in the agent's posting plan.

Replies depend on the primary platform's post ("engage once the drop is live"). On replan, judge
or reviewer rejections of posts come back as new post tasks with the next trend angle and the
rejection reason; rejected replies are not retried.
"""

from __future__ import annotations

from chimera.strategies.base import PlanRequest
from chimera.strategies.payments import payment_tasks
from chimera.strategies.schedule import schedule_dag
from state.contracts import Priority, TaskType
from state.plan import PlannedTask, TaskDAG


class TemplatePlanner:
    """Plans from templates; needs no model or key."""

    name = "template-planner-v1"

    async def plan(self, request: PlanRequest) -> TaskDAG:
        """Return the DAG for this goal and persona."""
        persona = request.persona
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
            primary = tasks[0].key
            # Replies answer mentions where they are, unless the campaign was narrowed to platforms.
            narrowed = request.platforms
            mentions = [m for m in request.mentions if not narrowed or m.platform in narrowed]
            for mention in mentions[: request.context.max_replies]:
                tasks.append(
                    PlannedTask(
                        key=f"reply-{mention.mention_id}".lower()[:64],
                        task_type=TaskType.REPLY_COMMENT,
                        priority=Priority.LOW,
                        depends_on=[primary],
                        params={
                            "platform": mention.platform,
                            "mention_id": mention.mention_id,
                            "author": mention.author_handle,
                            "mention_text": mention.text,
                        },
                    )
                )
        tasks.extend(payment_tasks(request))
        rationale = f"{len(tasks)} tasks for {persona.name}: posts on {request.targets}"
        dag = TaskDAG(rationale=rationale, tasks=tasks)
        return schedule_dag(
            dag, persona.posting, request.now, request.taken_posts, request.taken_replies
        )
