"""ReviewItem, the human-review escalation payload (specs/technical.md §2.4)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import ValidationError

from state.contracts import ReviewItem


def _review(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "review_id": "rev-1122",
        "artifact_id": "art-5678",
        "task_id": "uuid-1234",
        "agent_id": "agent-ethiopia-fashion-001",
        "tenant_id": "tenant-xyz",
        "content_preview": {"type": "caption", "text": "Step into Ethiopia's summer…"},
        "confidence_score": 0.78,
        "risk_category": "brand_safety_medium",
        "reason_for_escalation": [
            "New political keyword cluster detected in related trend alerts.",
            "Confidence below auto-approval threshold for this campaign.",
        ],
        "suggested_actions": ["approve", "edit", "reject"],
        "created_at": "2026-02-06T10:00:12Z",
        "expires_at": "2026-02-06T11:00:00Z",
    }
    data.update(overrides)
    return data


def test_review_item_with_the_contract_example_values_validates() -> None:
    """specs/technical.md §2.4 (contract example values)"""
    item = ReviewItem.model_validate(_review())
    assert item.confidence_score == 0.78
    assert item.model_dump(mode="json") == _review()


@pytest.mark.parametrize("confidence", [-0.01, 1.01, math.nan, math.inf])
def test_review_item_confidence_outside_0_1_is_rejected(confidence: float) -> None:
    """specs/technical.md §2.4 (`confidence_score` in [0, 1])"""
    with pytest.raises(ValidationError):
        ReviewItem.model_validate(_review(confidence_score=confidence))


@pytest.mark.parametrize("risk", ["Brand Safety", "brand-safety-medium", "", "_medium"])
def test_review_item_risk_category_must_be_domain_underscore_level(risk: str) -> None:
    """specs/technical.md §2.4 (`risk_category` as `<domain>_<level>`)"""
    with pytest.raises(ValidationError):
        ReviewItem.model_validate(_review(risk_category=risk))


def test_review_item_suggested_actions_come_from_approve_edit_reject() -> None:
    """specs/technical.md §2.4 (`suggested_actions`)"""
    with pytest.raises(ValidationError):
        ReviewItem.model_validate(_review(suggested_actions=["approve", "publish"]))
    with pytest.raises(ValidationError):
        ReviewItem.model_validate(_review(suggested_actions=[]))
