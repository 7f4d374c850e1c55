"""Review resume values: ReviewDecision and Agent Inbox HumanResponse (specs/technical.md §2.4)."""

from __future__ import annotations

import pytest

from state.review import InvalidResumeValue, ReviewDecision, parse_resume


def test_approve_decision_is_accepted() -> None:
    """specs/technical.md §2.4 (Resume value: `approve`)"""
    decision = parse_resume({"decision": "approve", "user_id": "user-7"})
    assert decision == ReviewDecision(decision="approve", user_id="user-7")


def test_edit_decision_carries_the_edited_text() -> None:
    """specs/technical.md §2.4 (Resume value: `edit`)"""
    decision = parse_resume({"decision": "edit", "text": "New caption #AIcreator"})
    assert decision.decision == "edit"
    assert decision.text == "New caption #AIcreator"


@pytest.mark.parametrize("value", [{"decision": "edit"}, {"decision": "edit", "text": ""}])
def test_edit_decision_without_text_is_invalid(value: dict[str, str]) -> None:
    """specs/technical.md §2.4 (`edit` needs the edited content)"""
    with pytest.raises(InvalidResumeValue, match="edit"):
        parse_resume(value)


def test_reject_decision_takes_an_optional_reason() -> None:
    """specs/technical.md §2.4 (`reject` takes `reason`)"""
    assert parse_resume({"decision": "reject"}).reason is None
    assert parse_resume({"decision": "reject", "reason": "off-brand"}).reason == "off-brand"


def test_respond_decision_needs_a_message() -> None:
    """specs/technical.md §2.4 (`respond` needs a message)"""
    decision = parse_resume({"decision": "respond", "reason": "Make it shorter"})
    assert (decision.decision, decision.reason) == ("respond", "Make it shorter")
    with pytest.raises(InvalidResumeValue):
        parse_resume({"decision": "respond"})


def test_agent_inbox_accept_maps_to_approve() -> None:
    """specs/technical.md §2.4 (Agent Inbox `accept` → approve)"""
    assert parse_resume({"type": "accept", "args": None}).decision == "approve"


def test_agent_inbox_ignore_maps_to_reject() -> None:
    """specs/technical.md §2.4 (Agent Inbox `ignore` → reject)"""
    assert parse_resume({"type": "ignore"}).decision == "reject"


def test_agent_inbox_response_maps_to_respond_with_the_message() -> None:
    """specs/technical.md §2.4 (Agent Inbox `response` → respond)"""
    decision = parse_resume({"type": "response", "args": "Less hype, more craft"})
    assert (decision.decision, decision.reason) == ("respond", "Less hype, more craft")


def test_agent_inbox_edit_maps_to_edit_with_the_edited_text() -> None:
    """specs/technical.md §2.4 (Agent Inbox `edit` → edit)"""
    value = {
        "type": "edit",
        "args": {"action": "publish_post", "args": {"text": "Edited #AIcreator"}},
    }
    decision = parse_resume(value)
    assert (decision.decision, decision.text) == ("edit", "Edited #AIcreator")


def test_agent_inbox_response_in_a_one_element_list_is_accepted() -> None:
    """specs/technical.md §2.4 (alone or in a one-element list)"""
    assert parse_resume([{"type": "accept", "args": None}]).decision == "approve"
    assert parse_resume([{"decision": "reject", "reason": "no"}]).decision == "reject"


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        42,
        None,
        True,
        [],
        ["approve"],
        {"decision": "maybe"},
        {"decision": "approve", "extra": 1},
        {"type": "like"},
        {"type": "accept", "args": None, "extra": 1},
        [{"type": "accept"}, {"type": "accept"}],
        {"decision": "approve", "user_id": "bad user id"},
    ],
    ids=repr,
)
def test_garbage_resume_values_raise_invalid_resume_value(value: object) -> None:
    """specs/technical.md §2.4 (Anything else raises a validation error; the item stays pending)"""
    with pytest.raises(InvalidResumeValue):
        parse_resume(value)


def test_invalid_resume_value_names_the_accepted_shapes() -> None:
    """specs/technical.md §2.4"""
    with pytest.raises(InvalidResumeValue, match=r"approve.*edit.*reject.*respond"):
        parse_resume("yes")


@pytest.mark.parametrize(
    "value",
    [
        {"type": "edit", "args": None},
        {"type": "edit", "args": "new text"},
        {"type": "edit", "args": {"action": "publish_post", "args": {}}},
        {"type": "response", "args": None},
    ],
    ids=repr,
)
def test_agent_inbox_edit_or_response_without_content_raises_invalid_resume_value(
    value: object,
) -> None:
    """specs/technical.md §2.4 (Anything else raises a validation error)"""
    with pytest.raises(InvalidResumeValue):
        parse_resume(value)
