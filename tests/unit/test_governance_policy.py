"""Policy layers and OCC change groups.

Proves specs/functional.md §3.10, specs/technical.md §12.4, §12.6.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chimera.control import occ
from chimera.control.policy import (
    PolicyError,
    PolicyOverrides,
    campaign_overrides,
    effective_context,
    effective_persona,
    load_tenant_policy,
)
from state.context import Context
from tests.support.builders import persona as make_persona


def test_campaign_topics_add_to_the_tenants_and_other_fields_replace_them() -> None:
    """specs/technical.md §12.6"""
    tenant = PolicyOverrides.model_validate(
        {"forbidden_topics": ["gambling"], "approve_threshold": 0.95}
    )
    campaign = PolicyOverrides.model_validate(
        {"forbidden_topics": ["crypto"], "approve_threshold": 0.8}
    )
    merged = campaign.over(tenant)
    assert merged.forbidden_topics == ["gambling", "crypto"]
    assert merged.approve_threshold == 0.8
    assert PolicyOverrides().over(tenant).approve_threshold == 0.95


def test_a_tenant_policy_file_applies_to_context_and_persona(tmp_path: Path) -> None:
    """specs/functional.md §3.10"""
    (tmp_path / "tenant-q.toml").write_text(
        'sensitive_topics = ["religion"]\nreview_threshold = 0.5\ndisclosure_label = "#bot"\n'
    )
    policy = load_tenant_policy(tmp_path, "tenant-q")
    ctx = effective_context(Context(), policy)
    assert (ctx.approve_threshold, ctx.review_threshold) == (0.90, 0.5)
    persona = effective_persona(make_persona(), policy)
    assert "religion" in persona.sensitive_topics and persona.disclosure.label == "#bot"
    assert load_tenant_policy(tmp_path, "tenant-none") == PolicyOverrides()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("approve_threshold = 1.5", "approve_threshold"),
        ("colour = 'blue'", "colour"),
        ("review_default_action = 'ignore'", "review_default_action"),
        ("approve_threshold = 0.6\nreview_threshold = 0.7", "must not exceed"),
        ("not toml at all [", "tenant-bad.toml"),
    ],
)
def test_an_invalid_policy_is_refused_with_a_clear_error(
    tmp_path: Path, body: str, message: str
) -> None:
    """specs/technical.md §12.6"""
    (tmp_path / "tenant-bad.toml").write_text(body)
    with pytest.raises(PolicyError, match=message):
        load_tenant_policy(tmp_path, "tenant-bad")


def test_a_campaign_threshold_that_conflicts_with_the_run_is_a_policy_error() -> None:
    """specs/technical.md §12.6"""
    policy = campaign_overrides({"policy": {"review_threshold": 0.95}})
    with pytest.raises(PolicyError, match="review_threshold"):
        effective_context(Context(approve_threshold=0.9), policy)


@pytest.mark.parametrize(
    ("task_type", "changed", "relevant"),
    [
        ("publish_post", {"goal"}, {"goal"}),
        ("reply_comment", {"goal"}, set()),
        ("reply_comment", {"forbidden_topics"}, {"persona_constraints"}),
        ("publish_post", {"review_ttl_minutes"}, set()),
        ("publish_post", {"approve_threshold", "goal"}, {"goal", "thresholds"}),
    ],
)
def test_only_changes_that_matter_to_an_artifact_invalidate_it(
    task_type: str, changed: set[str], relevant: set[str]
) -> None:
    """specs/technical.md §12.4"""
    assert occ.relevant(task_type, changed) == relevant
