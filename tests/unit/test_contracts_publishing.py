"""post_content, the payload a post is published with (specs/technical.md §2.5)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from state.contracts import PostContent, Scheduling
from tests.support.builders import NOW

POST_CONTENT_EXAMPLE: dict[str, Any] = {
    "platform": "tiktok",
    "tenant_id": "tenant-xyz",
    "agent_id": "agent-ethiopia-fashion-001",
    "content": {
        "text": "Step into Ethiopia's summer in style 🇪🇹✨ #AIcreator",
        "media_ids": ["media-991"],
        "reply_to_id": None,
    },
    "disclosure": {"ai_generated": True, "sponsor": "Brand ABC", "compliance_tags": ["ad"]},
    "scheduling": {"mode": "scheduled", "publish_at": "2026-02-06T17:30:00Z"},
    "tracking": {
        "campaign_id": "cmp-summer-ethiopia-2026",
        "task_id": "uuid-1234",
        "source": "chimera_orchestrator",
    },
}


def test_post_content_round_trips_the_contract_example() -> None:
    """specs/technical.md §2.5 (contract example values)"""
    post = PostContent.model_validate(POST_CONTENT_EXAMPLE)
    assert post.model_dump(mode="json") == POST_CONTENT_EXAMPLE
    assert PostContent.model_validate_json(post.model_dump_json()) == post


def test_post_content_tracking_source_defaults_to_chimera_orchestrator() -> None:
    """specs/technical.md §2.5 (`source` defaults to `chimera_orchestrator`)"""
    data = {k: v for k, v in POST_CONTENT_EXAMPLE.items() if k != "tracking"}
    assert PostContent.model_validate(data).tracking.source == "chimera_orchestrator"


def test_scheduled_post_without_publish_at_is_rejected() -> None:
    """specs/technical.md §2.5 (`publish_at` is required when scheduled)"""
    with pytest.raises(ValidationError, match="publish_at"):
        Scheduling.model_validate({"mode": "scheduled"})
    with pytest.raises(ValidationError):
        PostContent.model_validate({**POST_CONTENT_EXAMPLE, "scheduling": {"mode": "scheduled"}})


def test_immediate_post_needs_no_publish_at_and_unknown_modes_are_rejected() -> None:
    """specs/technical.md §2.5 (`scheduling {mode: immediate | scheduled}`)"""
    assert Scheduling.model_validate({"mode": "immediate"}).publish_at is None
    with pytest.raises(ValidationError):
        Scheduling.model_validate({"mode": "later", "publish_at": NOW})


def test_post_content_rejects_unknown_fields_and_missing_tenant() -> None:
    """specs/technical.md §2 (reject unknown fields), §2.1 (Tenancy)"""
    with pytest.raises(ValidationError):
        PostContent.model_validate({**POST_CONTENT_EXAMPLE, "extra": 1})
    data = {k: v for k, v in POST_CONTENT_EXAMPLE.items() if k != "tenant_id"}
    with pytest.raises(ValidationError):
        PostContent.model_validate(data)
