"""Payload contracts of CONTRACTS §2 and the enums fixed in §10, as validated pydantic models.

Every model forbids unknown fields, requires `tenant_id` where the contract does, and bounds list
and text sizes, so a malformed payload fails at the boundary with a readable error.

The models live in one module per CONTRACTS section (`state.contract_base`, `state.task`,
`state.artifact`, `state.tool_args`, `state.trends`); this module re-exports them so every
`from state.contracts import ...` keeps working, and checkpoints written when they lived here
still revive (`chimera/platform/checkpoint.py` allows their `state.contracts` paths).
"""

from __future__ import annotations

from state.artifact import (
    Artifact,
    CaptionPayload,
    ContentPreview,
    GenerationMetadata,
    MediaRef,
    ReviewItem,
)
from state.contract_base import (
    ArtifactType,
    Contract,
    Labels,
    Priority,
    SuggestedAction,
    TaskType,
)
from state.task import PersonaConstraints, RecentPost, Task, TaskContext, TaskGoal
from state.tool_args import (
    BudgetGuard,
    Disclosure,
    PostBody,
    PostContent,
    Scheduling,
    Tracking,
    TransactionRequest,
)
from state.trends import FlaggedItem, FlatTrendAlert, SupportingSample, Trend, TrendAlertEnvelope

__all__ = [
    "Artifact",
    "ArtifactType",
    "BudgetGuard",
    "CaptionPayload",
    "ContentPreview",
    "Contract",
    "Disclosure",
    "FlaggedItem",
    "FlatTrendAlert",
    "GenerationMetadata",
    "Labels",
    "MediaRef",
    "PersonaConstraints",
    "PostBody",
    "PostContent",
    "Priority",
    "RecentPost",
    "ReviewItem",
    "Scheduling",
    "SuggestedAction",
    "SupportingSample",
    "Task",
    "TaskContext",
    "TaskGoal",
    "TaskType",
    "Tracking",
    "TransactionRequest",
    "Trend",
    "TrendAlertEnvelope",
]
