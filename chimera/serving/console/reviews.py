"""The review queue: every pending review of the tenant, shown as the post would look.

Listing and deciding go through `chimera/runs/inbox.py` (the CLI's code): approve, edit
(checked by `inbox.check_edit` first; a refused edit is shown with its reasons and not sent),
reject with a reason, and bulk approve. Forms are plain POSTs, so they work without JavaScript;
with HTMX a decision replaces only its card.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from chimera.control import dashboard
from chimera.control.reviewers import NotAuthorized
from chimera.platform.db import tenant_tx
from chimera.runs import inbox
from chimera.runs.threads import AlreadyDecided, ReviewNotFound
from chimera.serving.console.web import Page
from state.review import ReviewDecision

FILTERS = ("agent", "campaign", "risk")
PAGE_SIZE = 50
"""Cards per page: a reviewer works down a page; more would only slow the page (bench console)."""


def time_left(expires_at: Any, now: datetime) -> str:
    """`42 min left`, `3 h 5 min left` or `expired` for a review's expiry."""
    if not isinstance(expires_at, datetime):
        expires_at = datetime.fromisoformat(str(expires_at))
    minutes = int((expires_at - now).total_seconds() // 60)
    if minutes < 0:
        return "expired"
    return f"{minutes // 60} h {minutes % 60} min left" if minutes >= 60 else f"{minutes} min left"


def card(row: dict[str, Any], context: dict[str, Any], now: datetime) -> dict[str, Any]:
    """What one review card shows: the post, what it answers, scores, reasons, time left."""
    item = row["item"]
    task = (context.get("task") or {}).get("params") or {}
    artifact = context.get("artifact") or {}
    return {
        "review_id": row["review_id"],
        "agent_id": row["agent_id"],
        "campaign_id": row["campaign_id"],
        "kind": item["content_preview"]["type"],
        "text": artifact.get("text") or item["content_preview"]["text"],
        "platform": artifact.get("platform") or task.get("platform") or "",
        "hashtags": artifact.get("hashtags") or [],
        "media_ids": artifact.get("media_ids") or [],
        "mention": task.get("mention_text"),
        "mention_author": task.get("author"),
        "confidence": float(item["confidence_score"]),
        "risk": item["risk_category"],
        "reasons": item["reason_for_escalation"],
        "judge_reasons": context.get("reasons") or [],
        "time_left": time_left(row["expires_at"], now),
    }


async def cards(
    page: Page, filters: dict[str, str | None], offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of the pending reviews matching `filters`, as cards, and how many match."""
    rows = await inbox.list_reviews(
        page.svc,
        page.tenant,
        agent_id=filters.get("agent"),
        campaign_id=filters.get("campaign"),
        risk=filters.get("risk"),
    )
    shown = rows[offset : offset + PAGE_SIZE]
    async with tenant_tx(page.svc.pool, page.tenant) as conn:
        context = await dashboard.review_context(conn, [r["review_id"] for r in shown])
    now = datetime.now(UTC)
    return [card(r, context.get(r["review_id"], {}), now) for r in shown], len(rows)


def _offset(page: Page) -> int:
    raw = page.request.query_params.get("offset", "0")
    return max(int(raw), 0) if raw.isdigit() else 0


def _filters(request: Request) -> dict[str, str | None]:
    return {k: (request.query_params.get(k) or "").strip() or None for k in FILTERS}


async def queue(page: Page, *, notice: str | None = None, status: int = 200) -> Response:
    """The queue page (or, after a decision, the page with a notice)."""
    filters = _filters(page.request)
    notice = notice or page.request.query_params.get("notice")
    offset = _offset(page)
    items, total = await cards(page, filters, offset)
    return page.render(
        "reviews.html",
        status,
        items=items,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        filters=filters,
        notice=notice,
        edit_errors={},
    )


async def _decide(page: Page, refs: list[str], decision: ReviewDecision) -> str:
    """Apply a decision through the inbox; the sentence to show the reviewer."""
    try:
        await inbox.decide(page.svc, page.tenant, refs, decision, user=page.principal.user)
    except (AlreadyDecided, NotAuthorized, ValueError) as exc:
        return f"Not done: {exc}"
    verb = {"approve": "Approved", "edit": "Edited and approved", "reject": "Rejected"}
    return f"{verb[decision.decision]} {len(refs)} review(s)."


async def act(page: Page, review_id: str, action: str) -> Response:
    """POST approve / edit / reject of one review."""
    form = await page.form()
    if action == "approve":
        decision = ReviewDecision(decision="approve")
    elif action == "reject":
        reason = str(form.get("reason") or "").strip() or "rejected in the console"
        decision = ReviewDecision(decision="reject", reason=reason[:2000])
    else:
        text = str(form.get("text") or "")
        problems = await inbox.check_edit(page.svc, page.tenant, review_id, text)
        if problems:
            return await _refused_edit(page, review_id, text, problems)
        decision = ReviewDecision(decision="edit", text=text)
    notice = await _decide(page, [review_id], decision)
    return await _after(page, notice)


async def bulk_approve(page: Page) -> Response:
    """POST approve of every checked review."""
    form = await page.form()
    refs = [str(r) for r in form.get("review_id") or []]
    if not refs:
        return await _after(page, "Not done: tick at least one review to approve.")
    return await _after(page, await _decide(page, refs, ReviewDecision(decision="approve")))


async def _after(page: Page, notice: str) -> Response:
    if page.htmx:
        return await queue(page, notice=notice)
    return page.redirect(f"/console/reviews?notice={quote(notice)}")


async def _refused_edit(page: Page, review_id: str, text: str, problems: list[str]) -> Response:
    items, total = await cards(page, _filters(page.request), _offset(page))
    for item in items:
        if item["review_id"] == review_id:
            item["draft"] = text
    return page.render(
        "reviews.html",
        422,
        items=items,
        total=total,
        offset=_offset(page),
        page_size=PAGE_SIZE,
        filters=_filters(page.request),
        notice="Edit refused: it breaks policy (see the reasons on the review).",
        edit_errors={review_id: problems},
    )


__all__ = ["ReviewNotFound", "act", "bulk_approve", "queue"]
