"""The review inbox across threads: list, decide one or many, and apply expiry.

Several artifacts of one run can wait at once (one interrupt per Send task). The inbox lists
pending reviews of every thread of a tenant with each one's interrupt id, and decides any set of
them by review id or interrupt id: the decisions of one thread go in a single
`Command(resume={interrupt_id: value, ...})`, under that campaign's lease (the thread's lease:
one active thread per campaign), after re-reading every row, so of two racing approvals one
publishes and the other is told the review is already decided.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from langgraph.types import Command

from chimera.control import dashboard, expiry, occ, repo, reviewers
from chimera.control.judge_context import persona_for_run
from chimera.control.personas import load_persona
from chimera.control.summaries import RunSummary
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs.threads import (
    AlreadyDecided,
    DecisionRefused,
    ProgressFn,
    ReviewNotFound,
    campaign_lease,
    compile_graph,
    drive,
    finish,
    interrupt_ids,
    refused_answers,
)
from chimera.strategies.guardrails import text_failures
from state.context import Context
from state.review import ReviewDecision


async def list_reviews(
    svc: Services,
    tenant_id: str,
    *,
    status: str | None = "pending",
    agent_id: str | None = None,
    campaign_id: str | None = None,
    risk: str | None = None,
) -> list[dict[str, Any]]:
    """Reviews of the tenant across threads; pending ones carry their interrupt ids.

    Listing never decides anything: a pending review past its expiry is left out of the
    pending list (nobody can decide it any more) and takes its default action the next time
    its run is driven (`expire_due`).
    """
    async with tenant_tx(svc.pool, tenant_id) as conn:
        rows = await repo.list_reviews(conn, status=status, campaign_id=campaign_id)
        due = {r["review_id"] for r in await expiry.due(conn, campaign_id)}
    rows = [
        r
        for r in rows
        if (agent_id is None or r["agent_id"] == agent_id)
        and (risk is None or risk.lower() in str(r["item"]["risk_category"]).lower())
        and not (r["status"] == "pending" and r["review_id"] in due)
    ]
    graph = compile_graph(svc)
    by_thread: dict[str, dict[str, str]] = {}
    for row in rows:
        if row["status"] == "pending" and row["thread_id"] not in by_thread:
            by_thread[row["thread_id"]] = await interrupt_ids(graph, row["thread_id"])
        row["interrupt_id"] = by_thread.get(row["thread_id"], {}).get(row["review_id"])
    return rows


async def _rows(svc: Services, tenant_id: str, refs: list[str]) -> list[dict[str, Any]]:
    """The review rows named by review ids or interrupt ids (of this tenant only)."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        rows = {r["review_id"]: r for r in await repo.list_reviews(conn, status=None)}
    wanted = [ref for ref in refs if ref not in rows]
    if wanted:
        for thread in {r["thread_id"] for r in rows.values() if r["status"] == "pending"}:
            for review_id, iid in (await interrupt_ids(compile_graph(svc), thread)).items():
                if iid in wanted:
                    refs = [review_id if ref == iid else ref for ref in refs]
    missing = [ref for ref in refs if ref not in rows]
    if missing:
        raise ReviewNotFound(f"review {missing[0]!r} not found for tenant {tenant_id!r}")
    return [rows[ref] for ref in dict.fromkeys(refs)]


async def _with_user(
    svc: Services, tenant_id: str, decision: ReviewDecision, user: str | None
) -> ReviewDecision:
    """The decision with an authorised reviewer (the tenant's default reviewer if none given)."""
    ref = user or decision.user_id or reviewers.default_reviewer_email(tenant_id)
    async with tenant_tx(svc.pool, tenant_id) as conn:
        row = await reviewers.authorize(conn, ref, reviewers.REVIEW_ROLES)
    return decision.model_copy(update={"user_id": row["id"]})


async def _resume_thread(
    svc: Services,
    tenant_id: str,
    rows: list[dict[str, Any]],
    decisions: list[ReviewDecision],
    progress: ProgressFn | None = None,
) -> RunSummary:
    """Resume one thread with one decision per review, under its campaign's lease."""
    first = rows[0]
    thread_id, campaign_id = first["thread_id"], first["campaign_id"]
    graph = compile_graph(svc)
    async with campaign_lease(svc, campaign_id, wait=True):
        async with tenant_tx(svc.pool, tenant_id) as conn:
            current = [await repo.get_review(conn, r["review_id"]) for r in rows]
        for row, now in zip(rows, current, strict=True):
            if now is None or now["status"] != "pending":
                decided = now["status"] if now else "unknown"
                raise AlreadyDecided(f"review {row['review_id']} is already decided ({decided})")
        ids = await interrupt_ids(graph, thread_id)
        resume: dict[str, Any] = {}
        for row, decision in zip(rows, decisions, strict=True):
            if row["review_id"] not in ids:
                raise ReviewNotFound(
                    f"review {row['review_id']!r} is not waiting in thread {thread_id!r}"
                )
            resume[ids[row["review_id"]]] = decision.model_dump(mode="json")
        await drive(graph, Command(resume=resume), thread_id, Context(), progress)
        refused = await refused_answers(graph, thread_id, [r["review_id"] for r in rows])
    summary = await finish(svc, graph, tenant_id, campaign_id, thread_id)
    if refused:
        raise DecisionRefused("; ".join(refused) + " (the review still waits)")
    return summary


async def expire_due(svc: Services, tenant_id: str, *, campaign_id: str | None = None) -> list[str]:
    """Give every due review of the tenant its default action; return their ids."""
    async with tenant_tx(svc.pool, tenant_id) as conn:
        rows = await expiry.due(conn, campaign_id)
    done: list[str] = []
    for thread_rows in _by_thread(rows).values():
        try:
            await _resume_thread(
                svc, tenant_id, thread_rows, [expiry.default_decision(r) for r in thread_rows]
            )
        except (AlreadyDecided, ReviewNotFound):
            continue  # decided or resumed meanwhile by someone else
        done.extend(r["review_id"] for r in thread_rows)
    return done


def _by_thread(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["thread_id"]].append(row)
    return grouped


async def decide(
    svc: Services,
    tenant_id: str,
    refs: list[str],
    decision: ReviewDecision,
    *,
    user: str | None = None,
    progress: ProgressFn | None = None,
) -> list[RunSummary]:
    """Apply one decision to reviews named by review or interrupt id; one summary per thread.

    `user` (id or email) overrides `decision.user_id`; with neither, the tenant's default
    reviewer decides.

    Due reviews are expired first, so deciding an expired review reports it already decided.

    Raises:
        ReviewNotFound: an id is not this tenant's, or its review no longer waits.
        AlreadyDecided: a review was decided (or expired) before.
        DecisionRefused: the run refused the answer (e.g. a forbidden edit); it still waits.
        reviewers.NotAuthorized: the user is not a reviewer or admin of this tenant.

    """
    if not refs:
        raise ValueError("name at least one review id or interrupt id")
    rows = await _rows(svc, tenant_id, refs)
    decision = await _with_user(svc, tenant_id, decision, user)
    await expire_due(svc, tenant_id)
    summaries = []
    for thread_rows in _by_thread(rows).values():
        decisions = [decision] * len(thread_rows)
        summaries.append(await _resume_thread(svc, tenant_id, thread_rows, decisions, progress))
    return summaries


async def check_edit(svc: Services, tenant_id: str, review_id: str, text: str) -> list[str]:
    """Why an edited text would break policy (empty: it may be submitted).

    The same text checks the judge applies to a draft (platform length, AI disclosure,
    forbidden topics), with the persona under the tenant's and the campaign's current policy.

    Raises:
        ReviewNotFound: the review is not this tenant's.

    """
    async with tenant_tx(svc.pool, tenant_id) as conn:
        row = await repo.get_review(conn, review_id)
        if row is None:
            raise ReviewNotFound(f"review {review_id!r} not found for tenant {tenant_id!r}")
        context = (await dashboard.review_context(conn, [review_id])).get(review_id, {})
        campaign = await occ.read_campaign(conn, row["campaign_id"])
    platform = str((context.get("artifact") or {}).get("platform") or "x")
    persona = await asyncio.to_thread(load_persona, svc.settings.agents_dir, row["agent_id"])
    persona = await persona_for_run(svc.settings.policies_dir, persona, campaign)
    if not text.strip():
        return ["The edited text is empty."]
    return text_failures(text, platform, persona)
