"""Review interrupts and their resume values.

An interrupt carries the CONTRACTS §2.3 `ReviewItem` in the Agent Inbox shape
(`action_request`, `config`, `description`) so Agent Inbox and Studio can render it. The resume
value must validate into `ReviewDecision`; the Agent Inbox `HumanResponse` form is accepted too.
Anything else is an error, never a silent default.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from state.contracts import ReviewItem
from state.types import Id


class ActionRequest(BaseModel):
    """The action the agent wants to take, with editable arguments."""

    action: str
    args: dict[str, Any]


class InboxConfig(BaseModel):
    """Which responses the reviewer may give."""

    allow_accept: bool = True
    allow_edit: bool = True
    allow_respond: bool = True
    allow_ignore: bool = True


class ReviewInterrupt(BaseModel):
    """The value passed to `interrupt()`: Agent Inbox fields plus the review item."""

    action_request: ActionRequest
    config: InboxConfig
    description: str
    review: ReviewItem
    error: str | None = None
    """Why the previous answer to this interrupt was refused, if it was."""


class ReviewDecision(BaseModel):
    """A reviewer's decision: approve, edit (new text), reject (reason) or respond (message)."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "edit", "reject", "respond"]
    user_id: Id | None = None
    text: Annotated[str, Field(min_length=1, max_length=5000)] | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None
    expired: bool = False
    """Set only by the expiry sweep: the review's default action after its `expires_at`."""

    @model_validator(mode="after")
    def _fields_match_decision(self) -> ReviewDecision:
        if self.decision == "edit" and not self.text:
            raise ValueError("an 'edit' decision needs the edited 'text'")
        if self.decision == "respond" and not (self.reason or self.text):
            raise ValueError("a 'respond' decision needs a message in 'reason'")
        return self


class HumanResponse(BaseModel):
    """Agent Inbox's resume shape."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["accept", "ignore", "response", "edit"]
    args: str | ActionRequest | None = None


class InvalidResumeValue(ValueError):
    """The resume value is neither a ReviewDecision nor an Agent Inbox HumanResponse."""


_decision_or_inbox: TypeAdapter[ReviewDecision | HumanResponse] = TypeAdapter(
    ReviewDecision | HumanResponse
)


def parse_resume(value: object) -> ReviewDecision:
    """Validate a resume value into a `ReviewDecision` or raise `InvalidResumeValue`."""
    if isinstance(value, list) and len(value) == 1:  # Agent Inbox sends a one-element list
        value = value[0]
    try:
        parsed = _decision_or_inbox.validate_python(value)
    except ValidationError as exc:
        raise InvalidResumeValue(
            "resume value must be {'decision': 'approve'|'edit'|'reject'|'respond', ...} "
            f"or an Agent Inbox response; got {value!r}: {exc.errors()[0]['msg']}"
        ) from exc
    if isinstance(parsed, ReviewDecision):
        return parsed
    try:
        return _from_inbox(parsed)
    except ValidationError as exc:
        raise InvalidResumeValue(
            f"Agent Inbox response {value!r} is incomplete: {exc.errors()[0]['msg']}"
        ) from exc


def _from_inbox(parsed: HumanResponse) -> ReviewDecision:
    if parsed.type == "accept":
        return ReviewDecision(decision="approve")
    if parsed.type == "ignore":
        return ReviewDecision(decision="reject", reason="ignored in Agent Inbox")
    if parsed.type == "response":
        return ReviewDecision(decision="respond", reason=str(parsed.args or ""))
    text = parsed.args.args.get("text") if isinstance(parsed.args, ActionRequest) else None
    return ReviewDecision(decision="edit", text=text)
