"""Payment tasks of a plan: a goal that asks for a hero video pays its vendor once.

The template planner adds an `execute_transaction` task when the goal mentions a hero video (or
paying for a video) and the campaign names a vendor address; the amount comes from the run's
Context. The task is judged by the CFO node like every payment.
"""

from __future__ import annotations

import re

from chimera.strategies.base import PlanRequest
from state.contracts import Priority, TaskType
from state.plan import PlannedTask

_PAYS_FOR_VIDEO = re.compile(r"\bhero[- ]video\b|\bpay(?:ing)?\b[^.]*\bvideo\b", re.IGNORECASE)


def payment_tasks(request: PlanRequest) -> list[PlannedTask]:
    """The payment tasks the goal calls for (none on replans, none without a vendor)."""
    ctx = request.context
    if request.attempt or not ctx.hero_video_vendor or not _PAYS_FOR_VIDEO.search(request.goal):
        return []
    return [
        PlannedTask(
            key="pay-hero-video",
            task_type=TaskType.EXECUTE_TRANSACTION,
            priority=Priority.HIGH,
            params={
                "network": "base",
                "asset": "USDC",
                "amount": ctx.hero_video_price,
                "to_address": ctx.hero_video_vendor,
                "purpose": "pay_for_video_generation",
            },
        )
    ]
