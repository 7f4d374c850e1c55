"""The Artifact a worker hands the judge (CONTRACTS §2.2) and the review item (§2.3) it may open."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from state.contract_base import ArtifactType, Contract, SuggestedAction
from state.types import Id, ShortText, Text, UtcTimestamp


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
