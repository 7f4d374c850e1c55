# ruff: noqa: F811  (pytest fixtures imported from tests.support.xfixtures are re-bound as arguments)
"""One behaviour suite for both social backends: the sandbox and X (replayed) behave alike.

See specs/technical.md §14.1 (one interface, two backends) and §4.4 (idempotency).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from chimera.resources import Services
from servers.social.backend import SandboxBackend, SocialBackend
from servers.social.errors import Conflict, InvalidArgument
from servers.social.xbackend import XBackend
from tests.conftest import LAGOS
from tests.support.xfixtures import make_x, replay, tenant, tweet  # noqa: F401
from tests.support.xreplay import XReplay


@pytest.fixture(params=["sandbox", "x"])
def backend(request: pytest.FixtureRequest, svc: Services) -> SocialBackend:
    """Each backend in turn."""
    if request.param == "sandbox":
        return SandboxBackend(svc.pool)
    make_x: Callable[..., XBackend] = request.getfixturevalue("make_x")
    return make_x()


def key() -> str:
    return f"k-{uuid.uuid4().hex}"


async def test_a_repeated_key_returns_the_first_post_once(
    backend: SocialBackend, tenant: str, replay: XReplay
) -> None:
    """specs/technical.md §14.1"""
    k = key()
    first = await backend.publish(tenant, k, "post_tweet", tweet(LAGOS, "Once #AIcreator"))
    again = await backend.publish(tenant, k, "post_tweet", tweet(LAGOS, "Once #AIcreator"))
    assert first["status"] == again["status"] == "published"
    assert again["post_id"] == first["post_id"]
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    if backend.name == "x":
        assert len(replay.posts) == 1


async def test_a_repeated_key_with_another_text_is_a_conflict(
    backend: SocialBackend, tenant: str
) -> None:
    """specs/technical.md §14.1"""
    k = key()
    await backend.publish(tenant, k, "post_tweet", tweet(LAGOS, "A #AIcreator"))
    with pytest.raises(Conflict):
        await backend.publish(tenant, k, "post_tweet", tweet(LAGOS, "B #AIcreator"))


async def test_text_over_280_characters_is_refused(backend: SocialBackend, tenant: str) -> None:
    """specs/technical.md §14.1"""
    with pytest.raises(InvalidArgument, match="280"):
        await backend.publish(tenant, key(), "post_tweet", tweet(LAGOS, "x" * 281))


async def test_one_key_in_two_tenants_is_two_posts(backend: SocialBackend, tenant: str) -> None:
    """specs/technical.md §14.1"""
    k = key()
    mine = await backend.publish(tenant, k, "post_tweet", tweet(LAGOS, "Mine #AIcreator"))
    other_tenant = tenant + "-b"
    theirs = await backend.publish(other_tenant, k, "post_tweet", tweet(LAGOS, "Theirs #AIcreator"))
    assert mine["post_id"] != theirs["post_id"]
    assert theirs["duplicate"] is False
