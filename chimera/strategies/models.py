"""Chat model specs: parsed, checked and built in one place, before anything runs.

`CHIMERA_MODEL=provider:model` (and the per-role models) name a LangChain integration that is an
optional extra of this package. A typo, a missing extra or a missing key must fail at start-up
with one line naming the fix, never as an ImportError inside the `plan` node of a running
campaign, so `check_spec` looks only at the spec, the installed packages and the environment.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel


class ModelConfigError(ValueError):
    """A model setting that cannot work: unknown provider, missing extra or missing key."""


@dataclass(frozen=True)
class Provider:
    """One supported integration: its extra, its module and the keys it may read."""

    extra: str
    module: str
    keys: tuple[str, ...]
    base_url_env: tuple[str, ...] = ()


PROVIDERS: dict[str, Provider] = {
    "openai": Provider("openai", "langchain_openai", ("OPENAI_API_KEY",), ("OPENAI_BASE_URL",)),
    "anthropic": Provider(
        "anthropic",
        "langchain_anthropic",
        ("ANTHROPIC_API_KEY",),
        ("ANTHROPIC_BASE_URL", "ANTHROPIC_API_URL"),
    ),
    "google_genai": Provider("google", "langchain_google_genai", ("GOOGLE_API_KEY",)),
    "ollama": Provider("ollama", "langchain_ollama", (), ("OLLAMA_HOST",)),
}
ALIASES = {"google": "google_genai", "gemini": "google_genai"}
LOCAL_KEY = "not-needed"
"""Sent as the API key to an OpenAI-compatible local server that asks for none."""


@dataclass(frozen=True)
class ModelSpec:
    """A parsed `provider:model`."""

    provider: str
    name: str

    @property
    def spec(self) -> str:
        """The canonical `provider:model` string."""
        return f"{self.provider}:{self.name}"


@dataclass(frozen=True)
class ModelOptions:
    """Client settings shared by every model of a process."""

    base_urls: Mapping[str, str]
    timeout_s: float = 60.0
    max_retries: int = 2
    temperature: float | None = None
    structured_output: str = "auto"
    """How answers are constrained: the integration's default (`auto`), `json_schema`,
    `function_calling` (tool calls), `json_mode`, or `prompt` (format instructions only)."""


def parse_spec(spec: str, setting: str) -> ModelSpec:
    """Split `provider:model`, resolving aliases.

    Raises:
        ModelConfigError: not of the form `provider:model`, or an unknown provider.

    """
    provider, sep, name = spec.strip().partition(":")
    provider = ALIASES.get(provider.lower(), provider.lower())
    if not sep or not provider or not name:
        raise ModelConfigError(f"{setting}={spec!r}: expected provider:model, e.g. openai:gpt-4.1")
    if provider not in PROVIDERS:
        known = ", ".join(sorted([*PROVIDERS, *ALIASES]))
        raise ModelConfigError(
            f"{setting}={spec!r}: unknown provider {provider!r} (known: {known})"
        )
    return ModelSpec(provider, name)


def _base_url(spec: ModelSpec, options: ModelOptions, env: Mapping[str, str]) -> str | None:
    url = options.base_urls.get(spec.provider)
    return url or next((env[k] for k in PROVIDERS[spec.provider].base_url_env if env.get(k)), None)


def check_spec(
    spec: str, setting: str, options: ModelOptions, env: Mapping[str, str] | None = None
) -> ModelSpec:
    """Parse a spec and check its integration is installed and its key is set.

    A provider reached through a base URL (a local OpenAI-compatible server, Ollama) needs no key.

    Raises:
        ModelConfigError: naming the extra to install or the variable to set.

    """
    env = os.environ if env is None else env
    parsed = parse_spec(spec, setting)
    provider = PROVIDERS[parsed.provider]
    if importlib.util.find_spec(provider.module) is None:
        raise ModelConfigError(
            f"{setting}={spec!r} needs the {provider.extra!r} extra: "
            f"uv sync --extra {provider.extra}  (or pip install 'chimera[{provider.extra}]')"
        )
    keyless = not provider.keys or any(env.get(k) for k in provider.keys)
    if not keyless and not _base_url(parsed, options, env):
        raise ModelConfigError(
            f"{setting}={spec!r} needs an API key: set {' or '.join(provider.keys)}"
        )
    return parsed


def _client_kwargs(
    spec: ModelSpec, options: ModelOptions, env: Mapping[str, str]
) -> dict[str, Any]:
    """The constructor arguments each integration spells its own way."""
    url = options.base_urls.get(spec.provider)
    kwargs: dict[str, Any] = {"base_url": url} if url else {}
    if options.temperature is not None:
        kwargs["temperature"] = options.temperature
    if spec.provider == "ollama":
        kwargs["client_kwargs"] = {"timeout": options.timeout_s}
        return kwargs
    kwargs |= {"timeout": options.timeout_s, "max_retries": options.max_retries}
    if (
        spec.provider == "openai"
        and not env.get("OPENAI_API_KEY")
        and _base_url(spec, options, env)
    ):
        kwargs["api_key"] = LOCAL_KEY
    return kwargs


def build_chat_model(
    spec: str, setting: str, options: ModelOptions, env: Mapping[str, str] | None = None
) -> BaseChatModel:
    """Check a spec and build its chat model (no request is sent).

    Raises:
        ModelConfigError: see `check_spec`.

    """
    env = os.environ if env is None else env
    parsed = check_spec(spec, setting, options, env)
    return init_chat_model(
        parsed.name, model_provider=parsed.provider, **_client_kwargs(parsed, options, env)
    )
