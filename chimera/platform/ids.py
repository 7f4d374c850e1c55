"""Stable ids: derived from the ids of what they name, never from time or attempt (exactly-once)."""

from __future__ import annotations

import hashlib


def stable_id(prefix: str, *parts: str, length: int = 12) -> str:
    """A readable id derived from stable parts (never time or attempt)."""
    return f"{prefix}-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:length]
