"""The base of every CONTRACTS §2 payload model and the controlled vocabularies of CONTRACTS §10.

Kept apart so each payload module (task, artifact, tool arguments, trends) shares one strict base
and one set of enums without importing the others.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from state.types import ShortText


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
