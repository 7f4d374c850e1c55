"""Operators change running campaigns (OCC) and tenants change policy by configuration.

Proves specs/functional.md §3.8, §3.10 and specs/technical.md §12.4, §12.6.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from chimera.control import occ
from chimera.control.policy import PolicyOverrides
from chimera.platform.db import tenant_tx
from chimera.resources import Services
from chimera.runs import inbox
from chimera.runs.runner import run_campaign
from graphs.campaign import build_campaign_graph
from state.inputs import RunRequest
from tests.conftest import ETHIOPIA
from tests.support.governance import campaign_with_policy, events
from tests.support.platform import platform_posts, scalar

TENANT = "tenant-xyz"


async def test_a_campaign_update_during_a_run_invalidates_stale_drafts_which_are_redrafted(
    svc: Services, goal: str, checkpointer: BaseCheckpointSaver[str]
) -> None:
    """specs/functional.md §3.8, specs/technical.md §12.4 (on both checkpointers)"""
    paused = build_campaign_graph(svc).compile(
        checkpointer=checkpointer, interrupt_before=["judge"]
    )
    request = RunRequest(tenant_id=TENANT, agent_id=ETHIOPIA, goal=goal)
    config: Any = {"configurable": {"thread_id": f"{request.campaign}.run-1"}}
    await paused.ainvoke(request.model_dump(), config)  # drafts written, not yet judged
    new_goal = "Launch the Addis rainy season capsule on TikTok."
    async with tenant_tx(svc.pool, TENANT) as conn:
        _, changed = await occ.update_campaign(
            conn,
            request.campaign,
            goal=new_goal,
            overrides=PolicyOverrides(),
            expected_version=None,
            user_id=None,
        )
    assert changed == {"goal"}
    await build_campaign_graph(svc).compile(checkpointer=checkpointer).ainvoke(None, config)
    invalidated = await events(svc, request.campaign, "artifact_invalidated")
    assert len(invalidated) == 2 and all(e["detail"]["changed"] == ["goal"] for e in invalidated)
    posts = await platform_posts(svc, TENANT, request.campaign)
    captions = [p["text"] for p in posts if p["reply_to_id"] is None]
    assert len(captions) == 2 and all("rainy season capsule" in t for t in captions)
    assert not any("summer fashion line" in t for t in captions)


async def test_of_n_updates_racing_on_one_version_exactly_one_commits(
    svc: Services, goal: str
) -> None:
    """specs/technical.md §12.4"""
    campaign_id = await campaign_with_policy(svc, goal, review_ttl_minutes=30)

    async def update(i: int) -> int:
        async with tenant_tx(svc.pool, TENANT) as conn:
            version, _ = await occ.update_campaign(
                conn,
                campaign_id,
                goal=None,
                overrides=PolicyOverrides(approve_threshold=0.80 + i / 100),
                expected_version=2,
                user_id=None,
            )
        return version

    results = await asyncio.gather(*(update(i) for i in range(5)), return_exceptions=True)
    assert [r for r in results if isinstance(r, int)] == [3]
    assert sum(isinstance(r, occ.VersionConflict) for r in results) == 4


async def test_a_tenant_policy_file_changes_judging_without_code_changes(
    svc: Services, goal: str, tmp_path: Path
) -> None:
    """specs/functional.md §3.10, specs/technical.md §12.6"""
    (tmp_path / f"{TENANT}.toml").write_text(
        'sensitive_topics = ["fashion"]\nreview_default_action = "approve"\n'
    )
    settings = svc.settings.model_copy(update={"policies_dir": tmp_path})
    summary = await run_campaign(replace(svc, settings=settings), agent_id=ETHIOPIA, goal=goal)
    assert summary.state == "paused"
    rows = await inbox.list_reviews(svc, TENANT, campaign_id=summary.campaign_id)
    assert len(rows) == 2 and all("fashion" in r["item"]["risk_category"] for r in rows)
    defaults = await scalar(
        svc,
        TENANT,
        "SELECT string_agg(DISTINCT default_action, ',') FROM reviews WHERE campaign_id = %s",
        summary.campaign_id,
    )
    assert defaults == "approve"
