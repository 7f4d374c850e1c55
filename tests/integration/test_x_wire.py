# ruff: noqa: F811  (pytest fixtures imported from tests.support.xfixtures are re-bound as arguments)
"""The X backend against the replayed X API v2 wire format (httpx.MockTransport).

See specs/technical.md §14.2 (requests and auth), §14.3 (rate limits and the monthly cap),
§14.4 (duplicates) and §14.5 (typed errors); specs/functional.md §4.4, §4.5 and §4.6.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from chimera.platform.db import tenant_tx
from chimera.platform.settings import Settings
from servers.social.errors import DuplicateContent, InvalidMedia, Transient, Unauthorized
from servers.social.outbox import Outbox
from servers.social.xbackend import XBackend
from tests.conftest import LAGOS
from tests.support.xfixtures import make_x, replay, tenant, tweet  # noqa: F401
from tests.support.xreplay import ME, XReplay

Make = Callable[..., XBackend]


def key() -> str:
    return f"k-{uuid.uuid4().hex}"


async def test_a_post_sends_the_documented_body_with_an_oauth1_signature(
    make_x: Make, replay: XReplay, tenant: str
) -> None:
    """specs/technical.md §14.2"""
    result = await make_x().publish(
        tenant, key(), "post_tweet", tweet(LAGOS, "Specs check #AIcreator")
    )
    [sent] = replay.calls("POST", "/2/tweets")
    assert sent.json() == {"text": "Specs check #AIcreator"}
    assert sent.headers["authorization"].startswith('OAuth oauth_consumer_key="ck-test"')
    assert 'oauth_signature_method="HMAC-SHA1"' in sent.headers["authorization"]
    assert result["status"] == "published" and result["duplicate"] is False
    assert result["external_id"] == replay.posts[0]["id"]
    assert result["url"] == f"https://x.com/{ME['username']}/status/{replay.posts[0]['id']}"


async def test_a_reply_names_the_replied_post_and_a_bearer_token_is_sent_as_is(
    make_x: Make, replay: XReplay, tenant: str
) -> None:
    """specs/technical.md §14.2"""
    post = tweet(LAGOS, "No wahala #AIcreator", reply_to_id="1800000000000000007")
    await make_x(bearer=True).publish(tenant, key(), "reply_to_tweet", post)
    [sent] = replay.calls("POST", "/2/tweets")
    assert sent.json() == {
        "text": "No wahala #AIcreator",
        "reply": {"in_reply_to_tweet_id": "1800000000000000007"},
    }
    assert sent.headers["authorization"] == "Bearer bearer-test-token"


async def test_an_image_under_the_home_is_uploaded_then_attached(
    make_x: Make, replay: XReplay, tenant: str, settings: Settings
) -> None:
    """specs/technical.md §14.2"""
    image = Path(settings.home) / "media" / f"{uuid.uuid4().hex}.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    post = tweet(LAGOS, "Unboxing #AIcreator", media_ids=[str(image)])
    await make_x().publish(tenant, key(), "post_content", post)
    [upload] = replay.calls("POST", "/2/media/upload")
    assert upload.json()["media_category"] == "tweet_image"
    assert upload.json()["media_type"] == "image/png"
    [sent] = replay.calls("POST", "/2/tweets")
    media_id = sent.json()["media"]["media_ids"][0]
    assert media_id.startswith("188")


async def test_a_file_outside_the_home_is_refused_as_invalid_media(
    make_x: Make, replay: XReplay, tenant: str
) -> None:
    """specs/technical.md §14.5"""
    with pytest.raises(InvalidMedia):
        await make_x().publish(
            tenant,
            key(),
            "post_content",
            tweet(LAGOS, "x #AIcreator", media_ids=["/etc/passwd.png"]),
        )
    assert replay.calls("POST", "/2/tweets") == []


async def test_a_429_defers_the_post_to_the_reset_time_instead_of_failing(
    make_x: Make, replay: XReplay, tenant: str
) -> None:
    """specs/technical.md §14.3, specs/functional.md §4.5"""
    replay.limits["POST /2/tweets"] = 0
    result = await make_x().publish(tenant, key(), "post_tweet", tweet(LAGOS, "Later #AIcreator"))
    assert result["status"] == "scheduled"
    assert len(replay.calls("POST", "/2/tweets")) == 1
    assert abs(_epoch(result["deferred"]["retry_at"]) - (time.time() + replay.reset_in)) <= 5
    assert replay.posts == []


async def test_a_spent_bucket_defers_without_calling_x_and_the_outbox_publishes_after_reset(
    make_x: Make, replay: XReplay, tenant: str
) -> None:
    """specs/technical.md §14.3"""
    replay.limits["POST /2/tweets"] = 1
    x, second = make_x(), key()
    await x.publish(tenant, key(), "post_tweet", tweet(LAGOS, "First #AIcreator"))
    deferred = await x.publish(tenant, second, "post_tweet", tweet(LAGOS, "Second #AIcreator"))
    assert deferred["status"] == "scheduled"
    assert len(replay.calls("POST", "/2/tweets")) == 1  # the bucket said no; X was not asked
    await Outbox(x, poll_s=1).drain_once()
    assert len(replay.posts) == 1  # not due yet
    replay.limits.clear()
    await _window_resets(x, tenant)
    await Outbox(x, poll_s=1).drain_once()
    assert [p["text"] for p in replay.posts] == ["First #AIcreator", "Second #AIcreator"]
    again = await x.publish(tenant, second, "post_tweet", tweet(LAGOS, "Second #AIcreator"))
    assert again["status"] == "published" and again["external_id"] == replay.posts[1]["id"]
    assert again["post_id"] == deferred["post_id"] and again["duplicate"] is True


async def test_the_monthly_cap_of_the_tier_defers_to_next_month(
    make_x: Make, replay: XReplay, tenant: str
) -> None:
    """specs/technical.md §14.3"""
    x = make_x(x_tier="free", x_monthly_post_caps={"free": 1})
    await x.publish(tenant, key(), "post_tweet", tweet(LAGOS, "One #AIcreator"))
    capped = await x.publish(tenant, key(), "post_tweet", tweet(LAGOS, "Two #AIcreator"))
    assert capped["status"] == "scheduled"
    assert "monthly post cap" in capped["deferred"]["reason"]
    assert capped["deferred"]["retry_at"].endswith("-01T00:00:00Z")
    assert len(replay.posts) == 1


async def test_a_retry_after_a_lost_answer_returns_the_first_post_via_the_duplicate_refusal(
    make_x: Make, replay: XReplay, tenant: str
) -> None:
    """specs/technical.md §14.4, specs/functional.md §4.6"""
    x, k = make_x(), key()
    replay.lose_next_create = True
    with pytest.raises(Transient):
        await x.publish(tenant, k, "post_tweet", tweet(LAGOS, "Battery beast #AIcreator"))
    again = await x.publish(tenant, k, "post_tweet", tweet(LAGOS, "Battery beast #AIcreator"))
    assert [r.json()["text"] for r in replay.calls("POST", "/2/tweets")] == [
        "Battery beast #AIcreator"
    ] * 2
    assert len(replay.posts) == 1
    assert again["external_id"] == replay.posts[0]["id"] and again["duplicate"] is True
    third = await x.publish(tenant, k, "post_tweet", tweet(LAGOS, "Battery beast #AIcreator"))
    assert third["post_id"] == again["post_id"] and len(replay.calls("POST", "/2/tweets")) == 2


async def test_duplicate_text_under_another_key_is_a_clear_duplicate_error(
    make_x: Make, replay: XReplay, tenant: str
) -> None:
    """specs/technical.md §14.4"""
    x = make_x()
    await x.publish(tenant, key(), "post_tweet", tweet(LAGOS, "Same words #AIcreator"))
    with pytest.raises(DuplicateContent, match="idempotency key"):
        await x.publish(tenant, key(), "post_tweet", tweet(LAGOS, "Same words #AIcreator"))


async def test_a_retry_never_adopts_the_post_of_another_key_with_the_same_text(
    make_x: Make, replay: XReplay, tenant: str
) -> None:
    """specs/technical.md §14.4 (two keys never share one X post)"""
    x, first, second = make_x(), key(), key()
    await x.publish(tenant, first, "post_tweet", tweet(LAGOS, "Same words #AIcreator"))
    unavailable = {"title": "Service Unavailable", "status": 503, "detail": "Service Unavailable"}
    replay.fail_next.append((503, unavailable))
    with pytest.raises(Transient):
        await x.publish(tenant, second, "post_tweet", tweet(LAGOS, "Same words #AIcreator"))
    with pytest.raises(DuplicateContent, match="idempotency key"):
        await x.publish(tenant, second, "post_tweet", tweet(LAGOS, "Same words #AIcreator"))
    assert len(replay.posts) == 1 and replay.calls("GET", "/2/users/")


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"}, Unauthorized),
        (
            503,
            {"title": "Service Unavailable", "status": 503, "detail": "Service Unavailable"},
            Transient,
        ),
        (
            400,
            {
                "errors": [{"message": "Your media IDs are invalid."}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
            },
            InvalidMedia,
        ),
    ],
)
async def test_x_errors_become_typed_server_errors(
    make_x: Make,
    replay: XReplay,
    tenant: str,
    status: int,
    body: dict[str, object],
    error: type[Exception],
) -> None:
    """specs/technical.md §14.5"""
    x = make_x()
    await x.account(tenant)
    replay.fail_next.append((status, body))
    with pytest.raises(error):
        await x.publish(tenant, key(), "post_tweet", tweet(LAGOS, f"{status} #AIcreator"))


async def test_wrong_credentials_are_refused_by_x_as_unauthorized(
    make_x: Make, replay: XReplay, tenant: str
) -> None:
    """specs/technical.md §14.5"""
    with pytest.raises(Unauthorized):
        await make_x(x_consumer_secret="wrong").publish(
            tenant, key(), "post_tweet", tweet(LAGOS, "Hi #AIcreator")
        )
    assert replay.posts == []


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


async def _window_resets(x: XBackend, tenant_id: str) -> None:
    """Move the clock's consequences, not the clock: buckets expire, deferred posts fall due."""
    async for bucket in x.redis.scan_iter(match=f"chimera:{tenant_id}:x:*:rl:*"):
        await x.redis.delete(bucket)
    async with tenant_tx(x.pool, tenant_id) as conn:
        await conn.execute("UPDATE social_x_outbox SET due_at = now() - interval '1 second'")
    schedule = f"chimera:{tenant_id}:x:outbox"
    for member in await x.redis.zrange(schedule, 0, -1):
        await x.redis.zadd(schedule, {member: time.time() - 1})
