"""Structured JSON logs carry tenant, agent, campaign, task and thread ids; each parallel
task's lines carry its own task id and none of its siblings'.

Proves specs/technical.md §7.4 and specs/functional.md §10.6.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any, TypedDict

import pytest
from langgraph.graph import START, StateGraph
from langgraph.types import Send

from chimera.platform.logs import (
    PACKAGES,
    JsonFormatter,
    bind_log_ids,
    configure_logging,
    log_context,
    make_handler,
    use_package_logging,
)
from chimera.platform.settings import Settings

log = logging.getLogger("chimera.test_logs")


class _State(TypedDict, total=False):
    tasks: list[str]


def _fan_out(state: _State) -> list[Send]:
    return [Send("work", {"task": t}) for t in state["tasks"]]


async def _work(packet: dict[str, Any]) -> dict[str, Any]:
    bind_log_ids(task_id=packet["task"])
    log.warning("drafted")
    return {}


@pytest.fixture
def lines() -> Any:
    """Capture the test logger's records as parsed JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        log.removeHandler(handler)


async def test_parallel_tasks_log_their_own_ids_with_the_runs_ids(lines: Any) -> None:
    """specs/technical.md §7.4"""
    graph = StateGraph(_State)
    graph.add_node("work", _work)
    graph.add_conditional_edges(START, _fan_out, ["work"])
    config: dict[str, Any] = {
        "configurable": {"thread_id": "th-1"},
        "metadata": {"tenant_id": "tenant-xyz"},
    }
    with log_context(agent_id="agent-1", campaign_id="cmp-1"):
        await graph.compile().ainvoke({"tasks": ["t1", "t2", "t3"]}, config)  # type: ignore[arg-type]
        log.warning("run finished")
    *drafted, finished = lines()
    assert sorted(d["task_id"] for d in drafted) == ["t1", "t2", "t3"]
    for line in drafted:
        assert line["tenant_id"] == "tenant-xyz" and line["thread_id"] == "th-1"
        assert line["agent_id"] == "agent-1" and line["campaign_id"] == "cmp-1"
        assert line["message"] == "drafted" and line["ts"].endswith("Z")
    assert "task_id" not in finished, "a task's id never leaks out of its task"
    log.warning("after")
    assert "agent_id" not in lines()[-1], "log_context restores the previous ids"


def test_explicit_extra_ids_and_exceptions_are_rendered(lines: Any) -> None:
    """specs/technical.md §7.4"""
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("failed", extra={"task_id": "t9"})
    [line] = lines()
    assert line["task_id"] == "t9" and line["level"] == "ERROR" and "boom" in line["exc"]


def test_log_format_is_validated() -> None:
    """specs/technical.md §7.4"""
    assert isinstance(make_handler("json").formatter, JsonFormatter)
    with pytest.raises(ValueError, match="json"):
        configure_logging("INFO", "yaml")


def test_server_processes_log_json_from_chimera_packages_only(settings: Settings) -> None:
    """specs/technical.md §7.4"""
    saved = {n: (logging.getLogger(n).handlers, logging.getLogger(n).propagate) for n in PACKAGES}
    try:
        use_package_logging(settings.model_copy(update={"log_format": "json"}))
        chimera = logging.getLogger("chimera")
        assert isinstance(chimera.handlers[0].formatter, JsonFormatter)
        assert chimera.propagate is False
        assert not any(isinstance(h.formatter, JsonFormatter) for h in logging.getLogger().handlers)
    finally:
        for name, (handlers, propagate) in saved.items():
            logging.getLogger(name).handlers = handlers
            logging.getLogger(name).propagate = propagate
