"""Checkpoint retention prunes finished threads only: a paused thread keeps every checkpoint
and can still be resumed; a dry run deletes nothing; a recent finished thread is kept.

Proves specs/technical.md §7.5 and specs/functional.md §10.7.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from chimera.platform.grants import CHECKPOINT_TABLES
from chimera.platform.settings import REPO_ROOT, Settings
from chimera.resources import Services
from chimera.runs.retention import parse_age, prune_checkpoints
from chimera.runs.runner import resume_review, run_campaign
from state.review import ReviewDecision
from tests.conftest import ETHIOPIA, subprocess_env
from tests.support.platform import checkpoint_rows, forget_mentions

TENANT = "tenant-xyz"
LATER = datetime.now(UTC) + timedelta(days=31)


async def rows_of(svc: Services, thread_id: str) -> dict[str, int]:
    """Checkpoint rows per table for one thread."""
    return await checkpoint_rows(svc, thread_id)


async def finished_and_paused(svc: Services, goal: str) -> tuple[str, str, str]:
    """One finished thread and one paused thread (with its pending review id)."""
    first = await run_campaign(svc, agent_id=ETHIOPIA, goal=goal)
    done = await resume_review(
        svc,
        tenant_id=TENANT,
        review_id=first.pending_reviews[0]["review_id"],
        decision=ReviewDecision(decision="approve"),
    )
    assert done.state == "done"
    # Mentions are answered once per agent: the second campaign escalates the finance mention
    # again only once the ledger forgets the first campaign's decisions.
    await forget_mentions(svc)
    paused = await run_campaign(svc, agent_id=ETHIOPIA, goal=f"{goal} Second campaign.")
    assert paused.state == "paused"
    return done.thread_id, paused.thread_id, paused.pending_reviews[0]["review_id"]


async def test_prune_deletes_only_finished_threads_past_retention(svc: Services, goal: str) -> None:
    """specs/technical.md §7.5, specs/functional.md §10.7"""
    done, paused, review_id = await finished_and_paused(svc, goal)
    ours = [done, paused]
    paused_rows = await rows_of(svc, paused)
    assert all((await rows_of(svc, done)).values()) and all(paused_rows.values())

    recent = await prune_checkpoints(svc, older_than=timedelta(days=30), only=ours)
    assert recent.pruned == [] and recent.kept == {}, "nothing is old yet"

    dry = await prune_checkpoints(
        svc, older_than=timedelta(days=30), now=LATER, only=ours, dry_run=True
    )
    assert dry.pruned == [done] and dry.kept == {paused: "paused"} and dry.rows == 0
    assert all((await rows_of(svc, done)).values()), "a dry run deletes nothing"

    real = await prune_checkpoints(svc, older_than=timedelta(days=30), now=LATER, only=ours)
    assert real.pruned == [done] and real.rows > 0
    assert await rows_of(svc, done) == dict.fromkeys(CHECKPOINT_TABLES, 0)
    assert await rows_of(svc, paused) == paused_rows, "a paused thread is never pruned"

    resumed = await resume_review(
        svc, tenant_id=TENANT, review_id=review_id, decision=ReviewDecision(decision="approve")
    )
    assert resumed.state == "done", "the kept thread still resumes from its checkpoints"
    again = await prune_checkpoints(svc, older_than=timedelta(days=30), now=LATER, only=[done])
    assert again.pruned == [] and again.rows == 0


def test_age_parsing_accepts_units_and_rejects_garbage() -> None:
    """specs/technical.md §7.5"""
    assert parse_age("30") == timedelta(days=30)
    assert parse_age("12h") == timedelta(hours=12)
    assert parse_age("90m") == timedelta(minutes=90)
    for bad in ("", "-1d", "ten", "3w"):
        with pytest.raises(ValueError, match="age must look like"):
            parse_age(bad)


@pytest.mark.slow
def test_cli_prune_dry_run_reports_json_and_rejects_bad_ages(settings: Settings) -> None:
    """specs/functional.md §10.7"""
    base = [sys.executable, "-m", "chimera", "checkpoints", "prune"]
    env = subprocess_env(settings)
    ok = subprocess.run(
        [*base, "--dry-run", "--json"], cwd=REPO_ROOT, env=env, capture_output=True, timeout=300
    )
    assert ok.returncode == 0, ok.stderr.decode()
    report = json.loads(ok.stdout)
    assert report["dry_run"] is True and report["rows"] == 0
    assert report["pruned"] == [], "with 30 days' retention nothing of this session is old"
    bad = subprocess.run(
        [*base, "--older-than", "soon"], cwd=REPO_ROOT, env=env, capture_output=True, timeout=60
    )
    assert bad.returncode != 0 and b"older-than" in bad.stderr + bad.stdout
