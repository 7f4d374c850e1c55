"""Operator pages: the fleet (agents at a glance) and campaigns (goal, policy, tasks, audit).

Reads come from `chimera/control/dashboard.py` and `audit.trace`; a goal or topic change goes
through `occ.update_campaign` with an operator check, like `chimera campaign update`. The
fleet's pause / resume and its caps are in `agents.py`.
"""

from __future__ import annotations

from starlette.responses import Response

from chimera.control import audit, dashboard, occ, reviewers
from chimera.control.policy import PolicyError, PolicyOverrides, campaign_overrides
from chimera.platform.db import tenant_tx
from chimera.serving.console import agents
from chimera.serving.console.charts import bars, meters
from chimera.serving.console.web import Page


async def fleet(page: Page, *, notice: str | None = None, status: int = 200) -> Response:
    """The fleet: each agent's state with a pause / resume form; recent errors; posts per day.

    Each agent shows its last run, pending reviews, posts today and USDC spent today against
    its daily cap.
    """
    async with tenant_tx(page.svc.pool, page.tenant) as conn:
        rows = await dashboard.fleet(conn)
        errors = await dashboard.recent_errors(conn)
        per_day = await dashboard.posts_per_day(conn)
    caps = await agents.budgets(page, [str(a["agent_id"]) for a in rows])
    chart = bars("Published posts per day (14 days)", [(d, float(n)) for d, n in per_day])
    spend = meters(
        "USDC spent today against the daily cap",
        agents.meter_rows(caps, "spent_today", "max_daily"),
        " USDC",
    )
    return page.render(
        "fleet.html",
        status,
        agents=rows,
        caps=caps,
        errors=errors,
        chart=chart,
        spend=spend,
        notice=notice or page.request.query_params.get("notice"),
    )


async def campaigns(page: Page) -> Response:
    """Every campaign of the tenant."""
    async with tenant_tx(page.svc.pool, page.tenant) as conn:
        rows = await dashboard.campaigns(conn)
    return page.render("campaigns.html", campaigns=rows)


async def campaign(page: Page, campaign_id: str, *, notice: str | None = None) -> Response:
    """One campaign: goal, version, policy, tasks with verdicts, audit trace, posts chart.

    Raises:
        CampaignNotFound: not this tenant's campaign (the app answers 404).

    """
    async with tenant_tx(page.svc.pool, page.tenant) as conn:
        row = await occ.read_campaign(conn, campaign_id)
        tasks = await dashboard.campaign_tasks(conn, campaign_id)
        chains = await audit.trace(conn, campaign_id)
        per_day = await dashboard.posts_per_day(conn, campaign_id=campaign_id)
    policy = campaign_overrides(row["config"]).model_dump(exclude_defaults=True)
    chart = bars("Published posts per day", [(d, float(n)) for d, n in per_day])
    refused = notice is not None and notice.startswith("Not")
    return page.render(
        "campaign.html",
        409 if refused else 200,
        campaign=row,
        policy=policy,
        tasks=tasks,
        chains=chains,
        chart=chart,
        notice=notice,
    )


async def update(page: Page, campaign_id: str) -> Response:
    """POST a new goal and/or topics under OCC (expected version from the form)."""
    form = await page.form()
    goal = str(form.get("goal") or "").strip() or None
    forbid = [t.strip() for t in str(form.get("forbid") or "").split(",") if t.strip()]
    try:
        expected = int(str(form.get("version")))
        overrides = PolicyOverrides(forbidden_topics=forbid)
        async with tenant_tx(page.svc.pool, page.tenant) as conn:
            who = await reviewers.authorize(conn, page.principal.user, reviewers.OPERATOR_ROLES)
            version, changed = await occ.update_campaign(
                conn,
                campaign_id,
                goal=goal,
                overrides=overrides,
                expected_version=expected,
                user_id=str(who["id"]),
            )
            await audit.campaign_updated(
                conn, page.tenant, campaign_id, version, changed, who["id"]
            )
    except (occ.VersionConflict, reviewers.NotAuthorized, PolicyError, ValueError) as exc:
        return await campaign(page, campaign_id, notice=f"Not changed: {exc}")
    notice = f"Now at version {version} (changed: {', '.join(sorted(changed))})."
    return await campaign(page, campaign_id, notice=notice)
