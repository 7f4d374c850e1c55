"""LangSmith tracing: on when `LANGSMITH_TRACING` and `LANGSMITH_API_KEY` are set, else hard off.

Off means off: runs execute inside `tracing_context(enabled=False)`, so neither LangChain's
tracer nor `@traceable` code creates a LangSmith client or opens a connection, even if a stray
`LANGCHAIN_TRACING_V2` is set. On, one client is made per traced block and flushed after it.
The LangGraph server traces its runs itself from the same environment variables.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from langsmith import Client
from langsmith.run_helpers import tracing_context

from chimera.platform.settings import Settings


def tracing_enabled(settings: Settings) -> bool:
    """Whether runs are traced to LangSmith."""
    return bool(settings.langsmith_tracing and settings.langsmith_api_key)


@contextmanager
def tracing(settings: Settings) -> Iterator[Client | None]:
    """Trace the block to LangSmith when enabled; otherwise disable tracing for it.

    Yields:
        The LangSmith client when tracing, else None.

    """
    if not tracing_enabled(settings):
        with tracing_context(enabled=False):
            yield None
        return
    assert settings.langsmith_api_key is not None
    client = Client(
        api_key=settings.langsmith_api_key.get_secret_value(),
        api_url=settings.langsmith_endpoint,
    )
    try:
        with tracing_context(enabled=True, client=client, project_name=settings.langsmith_project):
            yield client
    finally:
        client.flush()
