"""Structured logs: every line carries the tenant, agent, campaign, task and thread it concerns.

The ids live in a context variable: the runner binds the run's ids before driving a graph, and
a node binds its task id; LangGraph runs each task in a copy of the context, so a task's ids
never leak into its siblings. Inside a graph the thread id and the server's run metadata (which
carries `tenant_id` through the auth handler) are read from the current runnable config too.
`CHIMERA_LOG_FORMAT=json` prints one JSON object per line; `text` keeps the usual format.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from langchain_core.runnables.config import var_child_runnable_config

from chimera.platform.settings import Settings

LOG_IDS = ("tenant_id", "agent_id", "campaign_id", "task_id", "thread_id")
_ids: ContextVar[dict[str, str]] = ContextVar("chimera_log_ids", default={})  # noqa: B039
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"


def bind_log_ids(**ids: str | None) -> None:
    """Add ids to the current context (e.g. a node's `task_id`); None values are ignored."""
    _ids.set({**_ids.get(), **{k: str(v) for k, v in ids.items() if k in LOG_IDS and v}})


@contextmanager
def log_context(**ids: str | None) -> Iterator[None]:
    """Bind ids for the duration of the block, restoring the previous ones after it."""
    token = _ids.set({**_ids.get(), **{k: str(v) for k, v in ids.items() if k in LOG_IDS and v}})
    try:
        yield
    finally:
        _ids.reset(token)


def current_log_ids() -> dict[str, str]:
    """The ids a log line emitted here would carry."""
    found: dict[str, str] = {}
    config = var_child_runnable_config.get() or {}
    for source in (config.get("metadata") or {}, config.get("configurable") or {}):
        found.update({k: str(source[k]) for k in LOG_IDS if source.get(k)})
    found.update(_ids.get())
    return found


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, ids, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record with the context's ids (explicit `extra` ids win)."""
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **current_log_ids(),
        }
        line.update({k: getattr(record, k) for k in LOG_IDS if getattr(record, k, None)})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def make_handler(fmt: str) -> logging.Handler:
    """A stderr handler with the JSON or text formatter."""
    if fmt not in ("json", "text"):
        raise ValueError(f"log format must be 'json' or 'text', got {fmt!r}")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(level: str, fmt: str) -> None:
    """Configure the root logger once per process (CLI, server, notebooks)."""
    logging.basicConfig(level=level.upper(), handlers=[make_handler(fmt)], force=True)


PACKAGES = ("chimera", "graphs", "nodes", "skills", "state")


def use_package_logging(settings: Settings) -> None:
    """Give Chimera's own loggers the configured format and level.

    For a host process that owns the root logger (the LangGraph server): its handlers stay.
    """
    for name in PACKAGES:
        logger = logging.getLogger(name)
        logger.handlers = [make_handler(settings.log_format)]
        logger.setLevel(settings.log_level.upper())
        logger.propagate = False
