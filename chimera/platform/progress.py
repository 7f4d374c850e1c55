"""Progress events for `stream_mode="custom"` (CLI, SDK clients, Studio).

Nodes call `emit_progress` with a stage and a few ids; outside a streaming run (or in a run
not streaming custom events) it does nothing.
"""

from __future__ import annotations

from typing import Any

from langgraph.config import get_stream_writer


def emit_progress(stage: str, **fields: Any) -> None:
    """Write `{"stage": stage, **fields}` to the run's custom stream, if any."""
    try:
        writer = get_stream_writer()
    except RuntimeError:  # not inside a runnable context
        return
    writer({"stage": stage, **fields})
