"""Records the graph passes between nodes: verdicts, perception inputs, publish results, reports."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from state.contracts import Artifact, ReviewItem, Task, TransactionRequest
from state.memory import MemoryContext
from state.persona import Persona
from state.types import Id, ShortText, UtcTimestamp


class Record(BaseModel):
    """Immutable record base."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)


Status = Literal[
    "pending", "dispatched", "awaiting_review", "done", "rejected", "failed", "skipped"
]
"""Lifecycle of a task inside one run."""


class TaskStatus:
    """The `Status` values by name.

    Plain strings, not an Enum: statuses are written to the checkpoint on every step, and
    strings serialise about a hundred times faster than enums.
    """

    PENDING: Final[Status] = "pending"
    DISPATCHED: Final[Status] = "dispatched"
    AWAITING_REVIEW: Final[Status] = "awaiting_review"
    DONE: Final[Status] = "done"
    REJECTED: Final[Status] = "rejected"
    FAILED: Final[Status] = "failed"
    SKIPPED: Final[Status] = "skipped"


TERMINAL: frozenset[str] = frozenset(
    {TaskStatus.DONE, TaskStatus.REJECTED, TaskStatus.FAILED, TaskStatus.SKIPPED}
)
"""Statuses after which a task will not run again in this plan."""


Decision = Literal["approve", "review", "reject"]


class Verdict(Record):
    """The judge's decision on one artifact."""

    task_id: Id
    artifact_id: Id
    decision: Decision
    confidence: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    risk_category: ShortText
    reasons: Annotated[list[ShortText], Field(max_length=20)] = []
    sensitive_topics: Annotated[list[ShortText], Field(max_length=20)] = []


class Mention(Record):
    """A mention of the agent on a platform (untrusted text)."""

    mention_id: Id
    platform: ShortText
    author_handle: ShortText
    text: Annotated[str, Field(max_length=5000)]
    created_at: UtcTimestamp
    answered: bool = False
    """The agent's account already replied to it on the platform (a person, or another tool)."""


class TrendSignal(Record):
    """A keyword the news resource shows rising, used by the planner."""

    keyword: ShortText
    count: Annotated[int, Field(ge=0)]
    headline: Annotated[str, Field(max_length=500)] = ""


class Published(Record):
    """The outcome of one side effect as recorded by commit."""

    task_id: Id
    kind: ShortText
    external_id: Id
    platform: ShortText
    text: Annotated[str, Field(max_length=5000)]
    reused: bool = False
    """True when the intent ledger already held the result (nothing was sent again)."""
    publish_at: UtcTimestamp | None = None
    """Set when the post was deferred to this slot (the calendar's outbox publishes it)."""


class Rejection(Record):
    """Why a task was rejected; fed back to the planner on replan."""

    task_id: Id
    reason: Annotated[str, Field(max_length=2000)]
    by: Literal["judge", "reviewer", "worker"]


class RunRef(Record):
    """Identity of the run every Send packet carries."""

    tenant_id: Id
    agent_id: Id
    campaign_id: Id
    thread_id: Id
    state_version: Annotated[int, Field(ge=0)]


class MissingStage(RuntimeError):
    """An envelope reached a stage without what an earlier stage adds (a wiring bug)."""


class Envelope(Record):
    """The payload of one task as it travels work -> judge -> review -> commit (one Send each)."""

    run: RunRef
    task: Task
    persona: Persona
    artifact: Artifact | None = None
    verdict: Verdict | None = None
    review: ReviewItem | None = None
    edited_text: Annotated[str, Field(max_length=5000)] | None = None
    memory: MemoryContext | None = None
    """The run's memory context, as load_context assembled it."""
    transaction: TransactionRequest | None = None
    """The payment an `execute_transaction` task proposes (judged by the CFO node)."""

    def _need(self, name: str) -> Any:
        value = getattr(self, name)
        if value is None:
            raise MissingStage(f"task {self.task.task_id} reached a stage without its {name}")
        return value

    def need_artifact(self) -> Artifact:
        """The drafted artifact (every stage after `work`)."""
        return cast(Artifact, self._need("artifact"))

    def need_verdict(self) -> Verdict:
        """The judge's verdict (every stage after `judge`)."""
        return cast(Verdict, self._need("verdict"))

    def need_review(self) -> ReviewItem:
        """The review item (the `review` stage)."""
        return cast(ReviewItem, self._need("review"))

    def need_transaction(self) -> TransactionRequest:
        """The proposed payment (the CFO and the payment commit)."""
        return cast(TransactionRequest, self._need("transaction"))


class RunReport(Record):
    """The summary `report` writes at the end of a run."""

    campaign_id: Id
    thread_id: Id
    tasks: dict[str, str]
    verdicts: dict[str, Decision]
    published: list[Published]
    pending_reviews: list[Id]
    rejected: list[Rejection]
    replans: int
    state: Literal["done", "refused"] = "done"
    """`refused`: the plan was refused as a whole (see `reason`); nothing ran."""
    reason: Annotated[str, Field(max_length=2000)] = ""
    reasons: dict[str, str] = {}
    """Why each task that did not end `done` ended where it did."""
