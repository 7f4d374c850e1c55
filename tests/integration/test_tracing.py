"""LangSmith tracing is off without LANGSMITH_* settings: a whole campaign runs with no
LangSmith client built and no connection attempted; with them, runs trace through one client.

Proves specs/technical.md §7.4 and specs/functional.md §10.6.
"""

from __future__ import annotations

import dataclasses
import socket
from typing import Any

import langsmith
import pytest
from langsmith.run_helpers import get_tracing_context
from pydantic import SecretStr

from chimera.platform.settings import Settings
from chimera.platform.tracing import tracing, tracing_enabled
from chimera.resources import Services
from chimera.runs.runner import run_campaign
from tests.conftest import ETHIOPIA

LOCAL = ("127.0.0.1", "::1", "localhost")


def without_tracing(settings: Settings) -> Settings:
    """The session settings with every LangSmith variable unset."""
    return settings.model_copy(
        update={"langsmith_tracing": False, "langsmith_api_key": None, "langsmith_project": None}
    )


async def test_without_langsmith_settings_a_campaign_never_contacts_langsmith(
    svc: Services, goal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """specs/technical.md §7.4"""
    quiet = dataclasses.replace(svc, settings=without_tracing(svc.settings))
    assert not tracing_enabled(quiet.settings)
    clients: list[Any] = []
    remote: list[Any] = []
    real_connect = socket.socket.connect

    def no_client(self: Any, *args: Any, **kwargs: Any) -> None:
        clients.append(args)
        raise AssertionError("a LangSmith client was constructed")

    def guarded(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOCAL:
            remote.append(address)
        return real_connect(sock, address)

    monkeypatch.setattr(langsmith.Client, "__init__", no_client)
    monkeypatch.setattr(socket.socket, "connect", guarded)
    # A stray legacy flag must not turn tracing on without the LangSmith settings.
    monkeypatch.setenv("LANGCHAIN_TRACING_V2", "true")
    summary = await run_campaign(quiet, agent_id=ETHIOPIA, goal=goal)
    assert summary.state == "paused" and summary.published
    assert clients == [] and remote == []


def test_langsmith_settings_turn_tracing_on_with_one_client(settings: Settings) -> None:
    """specs/technical.md §7.4"""
    on = settings.model_copy(
        update={
            "langsmith_tracing": True,
            "langsmith_api_key": SecretStr("lsv2-test"),
            "langsmith_project": "chimera-test",
            "langsmith_endpoint": "http://127.0.0.1:9",
        }
    )
    assert tracing_enabled(on)
    with tracing(on) as client:
        assert isinstance(client, langsmith.Client)
        assert client.api_url == "http://127.0.0.1:9"
        context = get_tracing_context()
        assert context["enabled"] is True and context["project_name"] == "chimera-test"
    with tracing(without_tracing(settings)) as none:
        assert none is None and get_tracing_context()["enabled"] is False


def test_tracing_needs_an_api_key_as_well_as_the_flag(settings: Settings) -> None:
    """specs/technical.md §7.4"""
    flag_only = settings.model_copy(update={"langsmith_tracing": True, "langsmith_api_key": None})
    assert not tracing_enabled(flag_only)
    env = Settings.model_validate({"LANGSMITH_TRACING": "true", "LANGSMITH_API_KEY": "k"})
    assert tracing_enabled(env), "the LANGSMITH_* names are what users set"
