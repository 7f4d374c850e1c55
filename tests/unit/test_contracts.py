"""Payload contracts and shared scalar types (specs/technical.md §2.1-§2.6, §9)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from state.contracts import (
    Artifact,
    FlatTrendAlert,
    PostContent,
    ReviewItem,
    Scheduling,
    Task,
    TaskType,
    TransactionRequest,
)
from state.inputs import RunRequest
from state.types import DecimalString, Id, UtcTimestamp

from .helpers import NOW, make_artifact, task_dict

TIMESTAMP: TypeAdapter[str] = TypeAdapter(UtcTimestamp)
MONEY: TypeAdapter[str] = TypeAdapter(DecimalString)
ID: TypeAdapter[str] = TypeAdapter(Id)
GOOD_ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"


def _error_locs(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[Any, ...]]:
    return [tuple(e["loc"]) for e in exc.value.errors()]


# --- Task (§2.2) ---


def test_task_with_the_contract_example_values_validates_and_round_trips() -> None:
    """specs/technical.md §2.2 (contract example values)"""
    task = Task.model_validate(task_dict())
    assert task.task_type == "generate_caption"
    assert task.priority == "high"
    assert Task.model_validate(task.model_dump(mode="json")) == task


def test_task_without_tenant_id_is_rejected_naming_the_field() -> None:
    """specs/technical.md §2.2 (`tenant_id` is mandatory), §2.1 (Tenancy)"""
    data = task_dict()
    del data["tenant_id"]
    with pytest.raises(ValidationError) as exc:
        Task.model_validate(data)
    assert ("tenant_id",) in _error_locs(exc)


@pytest.mark.parametrize("tenant", ["", "tenant xyz", "-tenant", "t" * 129])
def test_task_with_malformed_tenant_id_is_rejected(tenant: str) -> None:
    """specs/technical.md §2.1 (Ids match the id pattern, ≤ 128 characters)"""
    with pytest.raises(ValidationError):
        Task.model_validate(task_dict(tenant_id=tenant))


def test_task_rejects_a_task_type_outside_the_controlled_enum() -> None:
    """specs/technical.md §2.2 (`task_type`), §9"""
    with pytest.raises(ValidationError) as exc:
        Task.model_validate(task_dict(task_type="post_meme"))
    assert ("task_type",) in _error_locs(exc)


def test_task_accepts_exactly_the_eight_task_types() -> None:
    """specs/technical.md §2.2, §9"""
    expected = {
        "generate_caption",
        "render_image",
        "render_video",
        "publish_post",
        "reply_comment",
        "detect_trends",
        "execute_transaction",
        "update_memory",
    }
    assert {t.value for t in TaskType} == expected
    for task_type in expected:
        assert Task.model_validate(task_dict(task_type=task_type)).task_type == task_type


def test_task_rejects_a_priority_outside_high_medium_low() -> None:
    """specs/technical.md §2.2 (`priority`), §9"""
    with pytest.raises(ValidationError):
        Task.model_validate(task_dict(priority="urgent"))


def test_task_rejects_unknown_fields() -> None:
    """specs/technical.md §2 (contracts reject unknown fields)"""
    with pytest.raises(ValidationError):
        Task.model_validate(task_dict(owner="someone"))


@pytest.mark.parametrize("description", ["", "x" * 2001])
def test_task_goal_description_must_be_1_to_2000_characters(description: str) -> None:
    """specs/technical.md §2.1 (bounded sizes), §2.2 (`goal`)"""
    goal = {**task_dict()["goal"], "goal_description": description}
    with pytest.raises(ValidationError) as exc:
        Task.model_validate(task_dict(goal=goal))
    assert ("goal", "goal_description") in _error_locs(exc)


def test_task_goal_description_of_exactly_2000_characters_is_accepted() -> None:
    """specs/technical.md §2.1 (bounded sizes), §2.2"""
    goal = {**task_dict()["goal"], "goal_description": "x" * 2000}
    assert len(Task.model_validate(task_dict(goal=goal)).goal.goal_description) == 2000


def test_task_needs_at_least_one_success_criterion() -> None:
    """specs/technical.md §2.2 (`goal {..., success_criteria[]}`); specs/functional.md §2.1"""
    goal = {**task_dict()["goal"], "success_criteria": []}
    with pytest.raises(ValidationError):
        Task.model_validate(task_dict(goal=goal))


def test_task_deadline_earlier_than_created_at_is_rejected() -> None:
    """specs/technical.md §2.2 (`deadline` not earlier than `created_at`)"""
    with pytest.raises(ValidationError):
        Task.model_validate(task_dict(deadline="2026-02-06T09:59:59Z"))


# --- Scalars (§2.1) ---


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-06T10:00:00",
        "2026-02-06 10:00:00",
        "garbage",
        "garbageZ",
        "",
        "Z",
        "2026-13-01T00:00:00Z",
        "2026-02-30T10:00:00Z",
        "2026-02-06T10:00:00+00:00Z",
    ],
)
def test_utc_timestamp_rejects_naive_and_garbage_values(value: str) -> None:
    """specs/technical.md §2.1 (Timestamps: ISO-8601 UTC ending in Z; naive rejected)"""
    with pytest.raises(ValidationError):
        TIMESTAMP.validate_python(value)


@pytest.mark.parametrize("value", ["2026-02-06T10:00:00Z", "2026-02-06T10:00:00.250Z"])
def test_utc_timestamp_accepts_iso_8601_z_values(value: str) -> None:
    """specs/technical.md §2.1 (Timestamps)"""
    assert TIMESTAMP.validate_python(value) == value


@pytest.mark.parametrize(
    "value", ["1e3", "-5", "NaN", "Infinity", "", " 25.00", "25.", ".5", "1,000.00", "+5", "0x10"]
)
def test_decimal_string_rejects_exponents_signs_and_non_numbers(value: str) -> None:
    """specs/technical.md §2.1 (Money is a non-negative decimal string)"""
    with pytest.raises(ValidationError):
        MONEY.validate_python(value)


@pytest.mark.parametrize("value", ["25.00", "0", "1000.00", "0.000001"])
def test_decimal_string_accepts_plain_non_negative_decimals(value: str) -> None:
    """specs/technical.md §2.1 (Money, e.g. "25.00")"""
    assert MONEY.validate_python(value) == value


def test_decimal_string_rejects_floats() -> None:
    """specs/technical.md §2.1 (Money ... never float)"""
    with pytest.raises(ValidationError):
        MONEY.validate_python(25.0)


@pytest.mark.parametrize("value", ["٢٥.٠٠", "２５"], ids=["arabic-indic", "fullwidth"])
def test_decimal_string_rejects_non_ascii_digits(value: str) -> None:
    """specs/technical.md §2.1 (Money is a decimal string such as "25.00")"""
    with pytest.raises(ValidationError):
        MONEY.validate_python(value)


@pytest.mark.parametrize("value", ["tenant-xyz", "agent-ethiopia-fashion-001", "uuid-1234", "a"])
def test_ids_accept_readable_prefixed_values(value: str) -> None:
    """specs/technical.md §2.1 (Ids)"""
    assert ID.validate_python(value) == value


@pytest.mark.parametrize("value", ["tenant:xyz", "tenant/xyz", "tenant@xyz"])
def test_ids_outside_the_spec_pattern_are_rejected(value: str) -> None:
    """specs/technical.md §2.1 (Ids contain no `:`), §3.3"""
    with pytest.raises(ValidationError):
        ID.validate_python(value)


# --- Artifact (§2.3) ---


def test_artifact_rejects_a_negative_snapshot_version_and_unknown_type() -> None:
    """specs/technical.md §2.3 (`artifact_type`, `state_snapshot_version`)"""
    good = make_artifact("hello #AIcreator").model_dump(mode="json")
    with pytest.raises(ValidationError):
        Artifact.model_validate({**good, "state_snapshot_version": -1})
    with pytest.raises(ValidationError):
        Artifact.model_validate({**good, "artifact_type": "meme"})
    assert Artifact.model_validate(good).state_snapshot_version == 1


# --- ReviewItem (§2.4) ---


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


# --- post_content (§2.5) ---

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


# --- send_transaction (§2.6) ---


def _transaction(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tenant_id": "tenant-xyz",
        "agent_id": "agent-ethiopia-fashion-001",
        "wallet_id": "wallet-abc",
        "network": "base",
        "asset": "USDC",
        "amount": "25.00",
        "to_address": GOOD_ADDRESS,
        "purpose": "pay_for_video_generation",
        "budget_guard": {
            "campaign_id": "cmp-summer-ethiopia-2026",
            "max_per_tx": "50.00",
            "max_daily": "200.00",
        },
        "metadata": {"task_id": "uuid-1234"},
    }
    data.update(overrides)
    return data


def test_transaction_request_with_a_well_formed_address_validates() -> None:
    """specs/technical.md §2.6"""
    assert TransactionRequest.model_validate(_transaction()).amount == "25.00"


@pytest.mark.parametrize(
    "address", ["0x1234abcd...", "0x1234", GOOD_ADDRESS[2:], GOOD_ADDRESS + "00", "0xZZ" + "0" * 38]
)
def test_transaction_request_with_a_malformed_to_address_is_rejected(address: str) -> None:
    """specs/technical.md §2.6 (`to_address`); specs/technical.md §2 (reject invalid values)"""
    with pytest.raises(ValidationError) as exc:
        TransactionRequest.model_validate(_transaction(to_address=address))
    assert ("to_address",) in _error_locs(exc)


@pytest.mark.parametrize("field", ["amount", "max_per_tx"])
def test_transaction_money_fields_reject_exponent_notation(field: str) -> None:
    """specs/technical.md §2.1 (Money), §2.6"""
    if field == "amount":
        data = _transaction(amount="1e3")
    else:
        data = _transaction(budget_guard={**_transaction()["budget_guard"], "max_per_tx": "1e3"})
    with pytest.raises(ValidationError):
        TransactionRequest.model_validate(data)


# --- Flat trend alert of the trend skill (shared contracts, flat alert shape) ---


@pytest.mark.parametrize("score", [0.0, 0.92, 1.0])
def test_flat_trend_alert_accepts_a_float_relevance_score(score: float) -> None:
    """specs/functional.md §7 (trend alerts); specs/technical.md §2 (reject invalid values)"""
    alert = FlatTrendAlert(
        trend_alert=True,
        topics=["fashion"],
        relevance_score=score,
        alert_message="Rising: habesha streetwear",
    )
    assert isinstance(alert.relevance_score, float)


@pytest.mark.parametrize("score", ["0.5", True, None, 1.5, -0.1, math.nan])
def test_flat_trend_alert_relevance_score_rejects_strings_bools_and_out_of_range(
    score: object,
) -> None:
    """specs/functional.md §7 (trend alerts); specs/technical.md §2 (reject invalid values)"""
    with pytest.raises(ValidationError):
        FlatTrendAlert(
            trend_alert=False,
            topics=[],
            relevance_score=score,  # type: ignore[arg-type]
            alert_message="",
        )


@pytest.mark.parametrize("score", [0, 1])
def test_flat_trend_alert_stores_an_integer_score_as_a_real_float(score: int) -> None:
    """specs/functional.md §7 (trend alerts: relevance_score is a real float, never an int)"""
    alert = FlatTrendAlert(trend_alert=False, topics=[], relevance_score=score, alert_message="")
    assert type(alert.relevance_score) is float
    assert f'"relevance_score":{float(score)}' in alert.model_dump_json()


# --- Run input ---


def test_run_request_strips_the_goal_and_rejects_goals_without_words() -> None:
    """specs/technical.md §2.1 (bounded sizes); specs/functional.md §2.1"""
    run = RunRequest(
        tenant_id="tenant-xyz",
        agent_id="agent-ethiopia-fashion-001",
        campaign_id="cmp-1",
        goal="  Promote the summer line  ",
    )
    assert run.goal == "Promote the summer line"
    for goal in ["   ", "!!! ???", "x" * 2001]:
        with pytest.raises(ValidationError):
            RunRequest(tenant_id="tenant-xyz", agent_id="a", campaign_id="c", goal=goal)


def test_run_request_without_campaign_derives_a_stable_id_from_agent_and_goal() -> None:
    """specs/functional.md §2.1 (campaign id derived from the agent and the goal text)"""

    def campaign(agent: str, goal: str) -> str:
        return RunRequest(tenant_id="tenant-xyz", agent_id=agent, goal=goal).campaign

    first = campaign("agent-ethiopia-fashion-001", "Promote the summer line")
    assert first == campaign("agent-ethiopia-fashion-001", "  Promote the summer line ")
    assert first.startswith("cmp-")
    assert first != campaign("agent-ethiopia-fashion-001", "Promote the winter line")
    assert first != campaign("agent-lagos-tech-002", "Promote the summer line")
    assert ID.validate_python(first) == first
