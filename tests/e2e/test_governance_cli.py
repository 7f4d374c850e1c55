"""Governance through the `chimera` CLI: refused edits, stale approvals, refused plans, audit.

Proves specs/governance.md §1.1, §1.2, §2.1, §3.2, §5.1 as a user sees them (real
subprocesses); an edit dropping a sponsored campaign's `#ad` is refused like one dropping the
AI label.
"""

from __future__ import annotations

import pytest

from chimera.platform.settings import Settings
from tests.conftest import ETHIOPIA
from tests.e2e.test_cli import chimera

pytestmark = pytest.mark.slow
TENANT = ("--tenant", "tenant-xyz")


def test_a_forbidden_goal_is_refused_with_its_reason_and_exit_code_3(settings: Settings) -> None:
    """specs/governance.md §3.2"""
    goal = "Promote the summer drop to voters before the election."
    code, summary, err = chimera(settings, "run", "--agent", ETHIOPIA, "--goal", goal)
    assert code == 3, err
    assert summary["state"] == "refused" and "politics" in summary["reason"]
    assert summary["tasks"] == [] and summary["published"] == []


@pytest.mark.timeout(900)  # five CLI processes, each booting services and servers
def test_refused_edits_and_stale_approvals_publish_nothing_and_say_why(
    settings: Settings,
) -> None:
    """specs/governance.md §1.2, §2.1, §5.1"""
    goal = "Promote the new Ethiopian summer fashion line (cli governance)."
    code, summary, err = chimera(settings, "run", "--agent", ETHIOPIA, "--goal", goal)
    assert code == 0 and summary["state"] == "paused", err
    campaign, published = summary["campaign_id"], len(summary["published"])
    review_id = summary["pending_reviews"][0]["review_id"]

    bad = "Yes! Put all your savings in, guaranteed 10x returns."
    code, out, _ = chimera(settings, "review", "edit", review_id, *TENANT, "--text", bad)
    assert code == 2 and "Missing AI disclosure" in out["error"], out
    code, rows, _ = chimera(settings, "review", "list", *TENANT, "--campaign", campaign)
    assert [r["review_id"] for r in rows] == [review_id]

    ops = ("--email", "gov-ops@tenant-xyz.example", "--role", "network_operator")
    code, _, err = chimera(settings, "users", "add", *TENANT, *ops)
    assert code == 0, err
    update = ("campaign", "update", campaign, *TENANT, "--forbid", "finance")
    code, out, err = chimera(settings, *update, "--user", "gov-ops@tenant-xyz.example")
    assert code == 0 and out["changed"] == ["forbidden_topics"], err
    code, done, err = chimera(settings, "review", "approve", review_id, *TENANT)
    assert code == 0 and done["state"] == "done", err
    assert len(done["published"]) == published
    [rejected] = [t for t in done["rejected"] if t["status"] == "rejected"]
    assert "forbidden topics: finance" in rejected["reason"]

    code, refused, err = chimera(settings, "audit", "--campaign", campaign, *TENANT, "--refusals")
    assert code == 0, err
    events = [r["event"] for r in refused]
    assert events == ["review_answer_refused", "review_rejudged"]
    assert "Missing AI disclosure" in refused[0]["reason"]
    assert "forbidden topics: finance" in refused[1]["reason"]


@pytest.mark.timeout(900)  # six CLI processes, each booting services and servers
def test_an_edit_dropping_ad_from_a_sponsored_campaign_is_refused_and_publishes_nothing(
    settings: Settings,
) -> None:
    """specs/governance.md §1.1 (sponsor disclosure), §1.2, specs/economics.md §4.3"""
    goal = "Promote the new Ethiopian summer fashion line (cli sponsor)."
    code, summary, err = chimera(settings, "run", "--agent", ETHIOPIA, "--goal", goal)
    assert code == 0 and summary["state"] == "paused", err
    campaign, published = summary["campaign_id"], len(summary["published"])
    review_id = summary["pending_reviews"][0]["review_id"]
    ops = ("--email", "sponsor-ops@tenant-xyz.example", "--role", "network_operator")
    code, _, err = chimera(settings, "users", "add", *TENANT, *ops)
    assert code == 0, err
    update = ("campaign", "update", campaign, *TENANT, "--sponsor", "Brand ABC")
    code, out, err = chimera(settings, *update, "--user", "sponsor-ops@tenant-xyz.example")
    assert code == 0, err

    dropped = "Thanks for asking! I talk style, not money. #AIcreator"
    code, out, _ = chimera(settings, "review", "edit", review_id, *TENANT, "--text", dropped)
    assert code == 2 and "paid-partnership disclosure (#ad)" in out["error"], out
    code, rows, _ = chimera(settings, "review", "list", *TENANT, "--campaign", campaign)
    assert [r["review_id"] for r in rows] == [review_id]

    tagged = dropped.replace("#AIcreator", "#ad #AIcreator")
    code, done, err = chimera(settings, "review", "edit", review_id, *TENANT, "--text", tagged)
    assert code == 0 and done["state"] == "done", err
    assert len(done["published"]) > published
    assert tagged in [p["text"] for p in done["published"]]
