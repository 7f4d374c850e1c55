"""Idempotency keys and typed MCP errors (specs/technical.md §5.6, §4.4, §4.1)."""

from __future__ import annotations

import pytest

from chimera.control.intents import idempotency_key, payload_digest
from chimera.mcp.errors import (
    InvalidToolArguments,
    McpCallError,
    ToolConflict,
    ToolNotFound,
    ToolTimeout,
    TransientToolError,
    from_message,
)

IDS = ("tenant-xyz", "cmp-summer-ethiopia-2026", "task-3f2a9c", "post_content")


def test_idempotency_key_is_stable_for_the_same_ids() -> None:
    """specs/technical.md §5.6 (never time- or attempt-based)"""
    assert idempotency_key(*IDS) == idempotency_key(*IDS)
    assert idempotency_key(*IDS).startswith("post_content:")


@pytest.mark.parametrize("position", [0, 1, 2, 3], ids=["tenant", "campaign", "task", "kind"])
def test_idempotency_key_differs_when_any_id_differs(position: int) -> None:
    """specs/technical.md §5.6 (sha256 of tenant_id, campaign_id, task_id and the effect kind)"""
    changed = list(IDS)
    changed[position] = changed[position] + "-other"
    assert idempotency_key(*changed) != idempotency_key(*IDS)


def test_idempotency_key_does_not_collide_when_ids_shift_between_fields() -> None:
    """specs/technical.md §5.6, §4.4 (keys scoped per tenant)"""
    shifted = idempotency_key("tenant-a-b", "c", "t", "k")
    assert idempotency_key("tenant-a", "b-c", "t", "k") != shifted


def test_idempotency_key_is_accepted_by_the_social_server_key_format() -> None:
    """specs/technical.md §4.4 (every write takes an `idempotency_key`)"""
    key = idempotency_key(*IDS)
    assert 8 <= len(key) <= 200
    assert all(ch.isalnum() or ch in ":_-" for ch in key)


def test_payload_digest_ignores_key_order_and_detects_changes() -> None:
    """specs/technical.md §4.4 (canonical payload hash; same key with another payload conflicts)"""
    a = {"platform": "tiktok", "content": {"text": "Hi", "media_ids": []}}
    b = {"content": {"media_ids": [], "text": "Hi"}, "platform": "tiktok"}
    assert payload_digest(a) == payload_digest(b)
    assert payload_digest(a) != payload_digest({**a, "platform": "instagram"})


def test_conflict_code_maps_to_tool_conflict() -> None:
    """specs/technical.md §4.1 (Typed errors: `[code] message`), §4.4"""
    err = from_message("social", "post_content", "[conflict] x")
    assert type(err) is ToolConflict
    assert err.message == "x" and err.server == "social" and err.target == "post_content"
    assert not err.retryable
    assert str(err) == "social.post_content: x"


def test_transient_code_maps_to_a_retryable_transient_error() -> None:
    """specs/technical.md §4.1 (Transient errors only are retried)"""
    err = from_message("news", "read", "[transient] y")
    assert type(err) is TransientToolError
    assert err.retryable and err.message == "y"
    assert ToolTimeout("s", "t", "slow").retryable


def test_not_found_and_invalid_argument_codes_map_to_their_types() -> None:
    """specs/technical.md §4.1 (Typed errors)"""
    assert type(from_message("s", "t", "[not_found] review rev-1")) is ToolNotFound
    assert type(from_message("s", "t", "[invalid_argument] bad platform")) is InvalidToolArguments


def test_text_without_a_code_maps_to_invalid_tool_arguments() -> None:
    """specs/technical.md §4.1 (never retried)"""
    err = from_message("social", "post_content", "  something broke  ")
    assert type(err) is InvalidToolArguments
    assert err.message == "something broke" and not err.retryable


def test_code_is_found_after_a_wrapper_prefix() -> None:
    """specs/technical.md §4.1 (Servers report errors as `[code] message`)"""
    err = from_message("social", "post_content", "Error executing tool: [transient] db busy")
    assert isinstance(err, TransientToolError) and err.message == "db busy"


def test_unknown_code_fails_closed_as_a_non_retryable_error() -> None:
    """specs/technical.md §4.1 (Transient errors only are retried)"""
    err = from_message("s", "t", "[exploded] boom")
    assert isinstance(err, McpCallError) and not err.retryable
