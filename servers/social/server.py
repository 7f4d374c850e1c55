"""The social MCP server: the sandbox platform by default, the X API v2 when configured.

Platform-neutral `post_content`, X-style `post_tweet` and `reply_to_tweet`, and the resources
`twitter://mentions/recent` (subscribable: new mentions notify the agent's subscribers) and
`twitter://users/{user_id}`. Which backend serves a platform is configuration
(`servers.social.backend`), never the caller's concern. `receive_mention` is the sandbox
platform's operator door for a mention arriving.
"""

import json
from typing import Annotated, Any

from mcp import types
from mcp.server.fastmcp import Context, FastMCP
from mcp.server.lowlevel import NotificationOptions, Server
from pydantic import AnyUrl, AwareDatetime, Field, ValidationError

from servers.auth import check_agent, require_operator
from servers.runtime import InvalidArgument, caller, serve
from servers.social import engagement, sandbox, sandbox_outbox
from servers.social.lifespan import social, social_lifespan
from servers.social.subscriptions import check_owned, mentions_key
from state.contracts import Disclosure, PostBody, PostContent, Scheduling, Tracking

mcp = FastMCP(
    "social",
    instructions="Publish posts and replies, read mentions. Every write takes an idempotency key.",
    lifespan=social_lifespan,
    log_level="WARNING",
)

IdempotencyKey = Annotated[str, Field(min_length=8, max_length=200, pattern=r"^[A-Za-z0-9:_\-]+$")]
MentionId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9:_.\-]+$")]
Handle = Annotated[str, Field(min_length=2, max_length=64, pattern=r"^@[A-Za-z0-9_.]+$")]


def declare_subscribe(server: Server[Any, Any]) -> None:
    """Advertise `resources.subscribe` (SDK 1.x hard-codes it false in `get_capabilities`)."""
    plain = server.get_capabilities

    def with_subscribe(
        options: NotificationOptions, experimental: dict[str, dict[str, Any]]
    ) -> types.ServerCapabilities:
        capabilities = plain(options, experimental)
        if capabilities.resources is not None:
            capabilities.resources.subscribe = True
        return capabilities

    server.get_capabilities = with_subscribe  # type: ignore[method-assign, assignment]


declare_subscribe(mcp._mcp_server)


@mcp._mcp_server.subscribe_resource()  # type: ignore[no-untyped-call]  # SDK 1.x: untyped
async def subscribe(uri: AnyUrl) -> None:
    """Subscribe this session to the calling agent's mentions (validated like every call)."""
    ctx = mcp.get_context()
    key = mentions_key(uri, caller(ctx))
    await check_owned(social(ctx).pool, key)
    social(ctx).subscriptions.add(key, ctx.request_context.session)


@mcp._mcp_server.unsubscribe_resource()  # type: ignore[no-untyped-call]
async def unsubscribe(uri: AnyUrl) -> None:
    """Stop telling this session about the calling agent's mentions."""
    ctx = mcp.get_context()
    key = mentions_key(uri, caller(ctx))
    social(ctx).subscriptions.remove(key, ctx.request_context.session)


def _post(payload: PostContent) -> dict[str, Any]:
    return {
        "platform": payload.platform,
        "agent_id": payload.agent_id,
        "text": payload.content.text,
        "media_ids": list(payload.content.media_ids),
        "reply_to_id": payload.content.reply_to_id,
        "disclosure": payload.disclosure.model_dump(),
        "scheduling": payload.scheduling.model_dump(),
        "tracking": payload.tracking.model_dump(),
    }


@mcp.tool(description="Publish (or schedule) content on a platform. CONTRACTS §2.4.")
async def post_content(
    platform: str,
    tenant_id: str,
    agent_id: str,
    content: PostBody,
    disclosure: Disclosure,
    scheduling: Scheduling,
    idempotency_key: IdempotencyKey,
    ctx: Context,
    tracking: Tracking | None = None,
) -> dict[str, Any]:
    """Validate the full payload, then publish once per idempotency key."""
    caller(ctx, tenant_id)
    await check_agent(social(ctx).pool, tenant_id, agent_id)
    try:
        payload = PostContent(
            platform=platform,
            tenant_id=tenant_id,
            agent_id=agent_id,
            content=content,
            disclosure=disclosure,
            scheduling=scheduling,
            tracking=tracking or Tracking(),
        )
    except ValidationError as exc:
        raise InvalidArgument(str(exc)) from exc
    if not payload.disclosure.ai_generated:
        raise InvalidArgument("disclosure.ai_generated must be true for agent content")
    backend = social(ctx).backends.for_platform(payload.platform)
    return await backend.publish(tenant_id, idempotency_key, "post_content", _post(payload))


def _tweet(agent_id: str, text: str, reply_to: str | None) -> dict[str, Any]:
    return {
        "platform": "twitter",
        "agent_id": agent_id,
        "text": text,
        "media_ids": [],
        "reply_to_id": reply_to,
        "disclosure": {"ai_generated": True, "sponsor": None, "compliance_tags": []},
        "scheduling": {"mode": "immediate", "publish_at": None},
        "tracking": {},
    }


@mcp.tool(description="Cancel a scheduled sandbox post before it goes out.")
async def cancel_post(
    tenant_id: str,
    post_id: Annotated[str, Field(min_length=1, max_length=128)],
    ctx: Context,
) -> dict[str, Any]:
    """Cancel once: a post already published or cancelled is a conflict."""
    caller(ctx, tenant_id)
    return await sandbox_outbox.cancel(social(ctx).pool, tenant_id, post_id)


@mcp.tool(description="Post on X (the X API when configured, else the sandbox).")
async def post_tweet(
    tenant_id: str,
    agent_id: str,
    text: Annotated[str, Field(min_length=1, max_length=280)],
    idempotency_key: IdempotencyKey,
    ctx: Context,
) -> dict[str, Any]:
    """Post once per idempotency key."""
    caller(ctx, tenant_id)
    await check_agent(social(ctx).pool, tenant_id, agent_id)
    post = _tweet(agent_id, text, None)
    backend = social(ctx).backends.for_platform("twitter")
    return await backend.publish(tenant_id, idempotency_key, "post_tweet", post)


@mcp.tool(description="Reply to a post or mention on X (the X API when configured).")
async def reply_to_tweet(
    tenant_id: str,
    agent_id: str,
    tweet_id: Annotated[str, Field(min_length=1, max_length=128)],
    text: Annotated[str, Field(min_length=1, max_length=280)],
    idempotency_key: IdempotencyKey,
    ctx: Context,
) -> dict[str, Any]:
    """Reply once per idempotency key."""
    caller(ctx, tenant_id)
    await check_agent(social(ctx).pool, tenant_id, agent_id)
    post = _tweet(agent_id, text, tweet_id)
    backend = social(ctx).backends.for_platform("twitter")
    return await backend.publish(tenant_id, idempotency_key, "reply_to_tweet", post)


@mcp.tool(description="Operator: the sandbox platform receives a mention of an agent.")
async def receive_mention(
    tenant_id: str,
    agent_id: str,
    mention_id: MentionId,
    author_handle: Handle,
    text: Annotated[str, Field(min_length=1, max_length=5000)],
    ctx: Context,
    platform: Annotated[str, Field(pattern=r"^(twitter|x|tiktok|instagram)$")] = "twitter",
    in_reply_to_post_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None,
    created_at: AwareDatetime | None = None,
) -> dict[str, Any]:
    """Store it once (a repeat of the same mention is not stored again); subscribers are told."""
    caller(ctx, tenant_id)
    require_operator()
    if social(ctx).backends.mentions is not social(ctx).backends.sandbox:
        raise InvalidArgument("mentions come from X here; the sandbox receives none")
    mention = {
        "mention_id": mention_id,
        "platform": platform,
        "author_handle": author_handle,
        "text": text,
        "in_reply_to_post_id": in_reply_to_post_id,
        "created_at": created_at,
    }
    stored = await sandbox.receive_mention(social(ctx).pool, tenant_id, agent_id, mention)
    return {"mention_id": mention_id, "agent_id": agent_id, "stored": stored}


@mcp.resource(
    "twitter://mentions/recent",
    mime_type="application/json",
    description="Recent mentions of the calling agent (tenant and agent from the request _meta).",
)
async def mentions_recent() -> str:
    """Mentions of the agent named in the request `_meta`, newest first."""
    # A static resource gets no injected Context (FastMCP matches parameterless templates as
    # falsy), so it asks the server for the current request's context.
    ctx = mcp.get_context()
    who = caller(ctx)
    agent_id = who.get("agent_id")
    if not agent_id:
        raise InvalidArgument("agent_id is required in the request _meta")
    rows = await social(ctx).backends.mentions.recent_mentions(who["tenant_id"], agent_id)
    return json.dumps({"agent_id": agent_id, "mentions": rows})


@mcp.resource(
    "social://posts/{post_id}/engagement",
    mime_type="application/json",
    description="Engagement snapshots (views, likes, comments, shares by age) of a post.",
)
async def post_engagement(post_id: str, ctx: Context) -> str:
    """Snapshots of one post of the caller's tenant."""
    who = caller(ctx)
    rows = await engagement.snapshots(social(ctx).pool, who["tenant_id"], post_id)
    return json.dumps({"post_id": post_id, "snapshots": rows})


@mcp.resource(
    "social://agents/{agent_id}/engagement",
    mime_type="application/json",
    description="An agent's recent posts with their latest engagement, best first.",
)
async def agent_engagement(agent_id: str, ctx: Context) -> str:
    """Recent posts of an agent of the caller's tenant, by engagement rate."""
    who = caller(ctx)
    rows = await engagement.agent_report(social(ctx).pool, who["tenant_id"], agent_id)
    return json.dumps({"agent_id": agent_id, "posts": rows})


@mcp.resource(
    "twitter://users/{user_id}",
    mime_type="application/json",
    description="A user's public profile (`me`: the X account's own); tenant from _meta.",
)
async def user_profile(user_id: str) -> str:
    """The profile of `user_id` on the mentions backend."""
    ctx = mcp.get_context()
    who = caller(ctx)
    backend = social(ctx).backends.mentions
    profile = await backend.profile(who["tenant_id"], user_id, who.get("agent_id"))
    return json.dumps(profile)


def main() -> None:
    """Run standalone."""
    serve(mcp)
