"""Payload contracts of CONTRACTS §2 and the enums fixed in §10, as validated pydantic models.

Every model forbids unknown fields, requires `tenant_id` where the contract does, and bounds list
and text sizes, so a malformed payload fails at the boundary with a readable error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from state.types import DecimalString, Id, ShortText, Text, UtcTimestamp, parse_utc


class Contract(BaseModel):
    """Base for every payload: strict shape, JSON-native values."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)


class TaskType(StrEnum):
    """Controlled task vocabulary (CONTRACTS §10.1)."""

    GENERATE_CAPTION = "generate_caption"
    RENDER_IMAGE = "render_image"
    RENDER_VIDEO = "render_video"
    PUBLISH_POST = "publish_post"
    REPLY_COMMENT = "reply_comment"
    DETECT_TRENDS = "detect_trends"
    EXECUTE_TRANSACTION = "execute_transaction"
    UPDATE_MEMORY = "update_memory"


class Priority(StrEnum):
    """Task priority (CONTRACTS §10.2)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class ArtifactType(StrEnum):
    """Artifact and content-preview types (CONTRACTS §10.3)."""

    CAPTION = "caption"
    IMAGE = "image"
    VIDEO = "video"
    REPLY = "reply"
    TRANSACTION = "transaction"


class SuggestedAction(StrEnum):
    """Quick actions offered to a reviewer."""

    APPROVE = "approve"
    EDIT = "edit"
    REJECT = "reject"


Labels = Annotated[list[ShortText], Field(max_length=50)]


class TaskGoal(Contract):
    """The campaign goal a task serves; enough for a worker to act deterministically."""

    campaign_id: Id
    goal_description: Annotated[str, Field(min_length=1, max_length=2000)]
    success_criteria: Annotated[list[ShortText], Field(min_length=1, max_length=20)]


class PersonaConstraints(Contract):
    """The persona rules a worker must respect (from SOUL.md)."""

    voice: Labels = []
    forbidden_topics: Labels = []
    tone_notes: Annotated[str, Field(max_length=1000)] = ""


class RecentPost(Contract):
    """A post the agent already published, given as context."""

    post_id: Id
    platform: ShortText
    summary: Annotated[str, Field(max_length=500)]


class TaskContext(Contract):
    """Optional context travelling with a task."""

    trend_alert_ids: Annotated[list[Id], Field(max_length=50)] = []
    recent_posts: Annotated[list[RecentPost], Field(max_length=50)] = []


class Task(Contract):
    """Planner -> Worker (CONTRACTS §2.1); `params` holds type-specific inputs."""

    task_id: Id
    task_type: TaskType
    priority: Priority = Priority.MEDIUM
    agent_id: Id
    tenant_id: Id
    goal: TaskGoal
    persona_constraints: PersonaConstraints
    context: TaskContext = TaskContext()
    required_resources: Annotated[
        list[Annotated[str, Field(max_length=300)]], Field(max_length=20)
    ] = []
    depends_on: Annotated[list[Id], Field(max_length=50)] = []
    params: dict[str, str] = Field(default_factory=dict, max_length=20)
    created_at: UtcTimestamp
    deadline: UtcTimestamp | None = None

    @model_validator(mode="after")
    def _deadline_after_creation(self) -> Task:
        if self.deadline is not None and parse_utc(self.deadline) < parse_utc(self.created_at):
            raise ValueError("deadline must not be before created_at")
        return self


class GenerationMetadata(Contract):
    """How an artifact was produced."""

    model: ShortText
    temperature: Annotated[float, Field(ge=0, le=2)]
    prompt_version: ShortText


class CaptionPayload(Contract):
    """Payload of a caption (or reply) artifact."""

    text: Annotated[str, Field(min_length=1, max_length=5000)]
    platform: ShortText
    hashtags: Annotated[list[ShortText], Field(max_length=30)] = []
    reply_to_id: Id | None = None
    media_ids: Annotated[list[Id], Field(max_length=10)] = []


class MediaRef(Contract):
    """A generated asset attached to an artifact, as the media server stored it."""

    asset_id: Id
    kind: Literal["image", "video"]
    url: Annotated[str, Field(max_length=300)]
    character_reference_id: Id | None = None
    tier: Literal["daily", "hero"] | None = None


class Artifact(Contract):
    """Worker -> Judge (CONTRACTS §2.2); `state_snapshot_version` is the OCC token."""

    artifact_id: Id
    task_id: Id
    agent_id: Id
    tenant_id: Id
    artifact_type: ArtifactType
    payload: CaptionPayload
    generation_metadata: GenerationMetadata
    state_snapshot_version: Annotated[int, Field(ge=0)]
    created_at: UtcTimestamp
    source_text: Annotated[str, Field(max_length=5000)] = ""
    """Untrusted text the artifact answers (a mention), judged together with it."""
    media: Annotated[list[MediaRef], Field(max_length=10)] = []
    """Rendered assets whose ids the payload's `media_ids` carry (checked by the judge)."""


class ContentPreview(Contract):
    """What a reviewer sees first."""

    type: ArtifactType
    text: Text


class ReviewItem(Contract):
    """Judge -> review queue (CONTRACTS §2.3)."""

    review_id: Id
    artifact_id: Id
    task_id: Id
    agent_id: Id
    tenant_id: Id
    content_preview: ContentPreview
    confidence_score: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    risk_category: Annotated[str, Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", max_length=80)]
    reason_for_escalation: Annotated[list[ShortText], Field(min_length=1, max_length=20)]
    suggested_actions: Annotated[list[SuggestedAction], Field(min_length=1, max_length=3)]
    created_at: UtcTimestamp
    expires_at: UtcTimestamp


class PostBody(Contract):
    """`content` of post_content."""

    text: Annotated[str, Field(min_length=1, max_length=5000)]
    media_ids: Annotated[list[Id], Field(max_length=10)] = []
    reply_to_id: Id | None = None


class Disclosure(Contract):
    """EU AI Act transparency fields."""

    ai_generated: bool
    sponsor: Annotated[str, Field(max_length=200)] | None = None
    compliance_tags: Labels = []


class Scheduling(Contract):
    """When to publish; `publish_at` is required for `scheduled`."""

    mode: Literal["scheduled", "immediate"]
    publish_at: UtcTimestamp | None = None

    @model_validator(mode="after")
    def _scheduled_needs_time(self) -> Scheduling:
        if self.mode == "scheduled" and self.publish_at is None:
            raise ValueError("scheduling.publish_at is required when mode is 'scheduled'")
        return self


class Tracking(Contract):
    """Correlation ids carried to the platform record."""

    campaign_id: Id | None = None
    task_id: Id | None = None
    source: ShortText = "chimera_orchestrator"


class PostContent(Contract):
    """Arguments of the MCP tool `post_content` (CONTRACTS §2.4)."""

    platform: Annotated[str, Field(pattern=r"^[a-z0-9_]{2,32}$")]
    tenant_id: Id
    agent_id: Id
    content: PostBody
    disclosure: Disclosure
    scheduling: Scheduling
    tracking: Tracking = Tracking()


class BudgetGuard(Contract):
    """Caps carried by `send_transaction`."""

    campaign_id: Id
    max_per_tx: DecimalString
    max_daily: DecimalString
    max_campaign_total: DecimalString | None = None
    """Decision 7: the skill's campaign-total cap, carried to the server when known."""


class TransactionRequest(Contract):
    """Arguments of the MCP tool `send_transaction` (CONTRACTS §2.5)."""

    tenant_id: Id
    agent_id: Id
    wallet_id: Id
    network: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,32}$")]
    asset: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,12}$")]
    amount: DecimalString
    to_address: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
    purpose: ShortText
    budget_guard: BudgetGuard
    metadata: dict[str, Any] = Field(default_factory=dict, max_length=20)


class FlatTrendAlert(Contract):
    """The flat alert of `fetch_and_filter_trends` (CONTRACTS §2.6, §7)."""

    trend_alert: bool
    topics: Annotated[list[ShortText], Field(max_length=50)]
    relevance_score: Annotated[float, Field(ge=0.0, le=1.0, strict=True)]
    alert_message: Text


class SupportingSample(Contract):
    """Evidence for a trend: where it was seen, an excerpt, when."""

    resource: Annotated[str, Field(max_length=300)]
    excerpt: Annotated[str, Field(max_length=1000)]
    timestamp: UtcTimestamp


class Trend(Contract):
    """One trend of the §5.1 skill output."""

    trend_id: Id
    topic: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=120)]
    score: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
    regions: Labels = []
    tags: Labels = []
    supporting_samples: Annotated[list[SupportingSample], Field(max_length=50)] = []


class FlaggedItem(Contract):
    """An untrusted item that tried to instruct the agent: reported, never acted on."""

    resource: Annotated[str, Field(max_length=300)]
    excerpt: Annotated[str, Field(max_length=1000)]
    timestamp: UtcTimestamp
    reason: ShortText


class TrendAlertEnvelope(Contract):
    """Output of `execute_trend_detection` (CONTRACTS §5.1): may hold no trends."""

    tenant_id: Id
    agent_id: Id
    window_hours: Annotated[int, Field(ge=1, le=24 * 30)]
    generated_at: UtcTimestamp
    trends: Annotated[list[Trend], Field(max_length=100)] = []
    flagged: Annotated[list[FlaggedItem], Field(max_length=50)] = []
    """Items in the window that tried to steer the agent (prompt injection), for the operator."""
