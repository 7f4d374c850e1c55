"""Run summaries read from the control plane (valid even while a run is paused mid-superstep)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chimera.platform.db import Pool, tenant_tx


@dataclass
class RunSummary:
    """What `chimera run` prints at the end."""

    tenant_id: str
    campaign_id: str
    thread_id: str
    state: str
    """`done`, `refused` (the plan was refused as a whole), `paused` (waiting for reviews) or
    `running`."""
    tasks: list[dict[str, Any]] = field(default_factory=list)
    published: list[dict[str, Any]] = field(default_factory=list)
    pending_reviews: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    reason: str = ""
    """Why the run was refused (empty unless `state` is `refused`)."""
    warnings: list[str] = field(default_factory=list)
    """Sources skipped or read stale during the run (the run went on without them)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: v for k, v in self.__dict__.items()}


async def summarize(
    pool: Pool, tenant_id: str, campaign_id: str, thread_id: str, state: str
) -> RunSummary:
    """Collect tasks, verdicts, posts and pending reviews of one thread."""
    async with tenant_tx(pool, tenant_id) as conn:
        tasks = await (
            await conn.execute(
                "SELECT t.task_id, t.task_type, t.status, t.reason,"
                " t.payload->'params'->>'key' AS key,"
                " a.decision AS verdict, a.confidence, a.risk_category, a.reasons"
                " FROM tasks t LEFT JOIN LATERAL"
                " (SELECT * FROM artifacts x WHERE x.task_id = t.task_id"
                " ORDER BY x.created_at DESC LIMIT 1) a ON true"
                " WHERE t.thread_id = %s ORDER BY t.payload->>'created_at', t.task_id",
                (thread_id,),
            )
        ).fetchall()
        posts = await (
            await conn.execute(
                "SELECT p.id AS post_id, p.task_id, p.platform, p.status, p.text, p.published_at"
                " FROM posts p JOIN tasks t ON t.task_id = p.task_id WHERE t.thread_id = %s"
                " ORDER BY p.published_at, p.id",
                (thread_id,),
            )
        ).fetchall()
        reviews = await (
            await conn.execute(
                "SELECT review_id, task_id, item->'content_preview'->>'text' AS text,"
                " item->>'risk_category' AS risk_category, item->>'confidence_score' AS confidence,"
                " expires_at FROM reviews WHERE thread_id = %s AND status = 'pending'"
                " ORDER BY created_at, review_id",
                (thread_id,),
            )
        ).fetchall()
        degraded = await (
            await conn.execute(
                "SELECT DISTINCT detail->>'warning' AS warning FROM audit_log"
                " WHERE thread_id = %s AND event = 'source_degraded' ORDER BY 1",
                (thread_id,),
            )
        ).fetchall()
    return RunSummary(
        warnings=[str(d["warning"]) for d in degraded],
        tenant_id=tenant_id,
        campaign_id=campaign_id,
        thread_id=thread_id,
        state=state,
        tasks=[dict(t) for t in tasks],
        published=[{**p, "published_at": str(p["published_at"])} for p in posts],
        pending_reviews=[{**r, "expires_at": str(r["expires_at"])} for r in reviews],
        rejected=[dict(t) for t in tasks if t["status"] in ("rejected", "failed", "skipped")],
    )
