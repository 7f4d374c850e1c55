# ruff: noqa: F811  (pytest fixtures imported from tests.support.xfixtures are re-bound as arguments)
"""Mentions and profiles through the X backend, replayed from the X API v2 wire format.

See specs/technical.md §14.2 (mentions pagination, since_id, profiles) and §14.3 (a spent
mentions window serves the cache).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chimera.resources import Services
from servers.social.errors import InvalidArgument, NotFound
from servers.social.xbackend import XBackend
from tests.conftest import LAGOS
from tests.support.xfixtures import ABC, make_x, replay, tenant  # noqa: F401
from tests.support.xreplay import ME, XReplay, mention

Make = Callable[..., XBackend]


async def test_mentions_follow_next_token_pages_then_ask_only_for_newer_ones(
    make_x: Make, replay: XReplay, svc: Services
) -> None:
    """specs/technical.md §14.2"""
    replay.mentions = [mention(n, f"question {n}") for n in range(1, 6)]
    x = make_x()
    rows = await x.recent_mentions(ABC, LAGOS)
    pages = replay.calls("GET", f"/2/users/{ME['id']}/mentions")
    assert [p.query.get("pagination_token") for p in pages] == [None, "2", "4"]
    assert pages[0].query["expansions"] == "author_id"
    assert [r["mention_id"] for r in rows] == [m["id"] for m in reversed(replay.mentions)]
    assert rows[0]["author_handle"] == "@yaba_dev" and rows[0]["platform"] == "twitter"
    assert rows[0]["created_at"].endswith("Z")
    replay.mentions.append(mention(6, "a new one"))
    again = await x.recent_mentions(ABC, LAGOS)
    assert (
        replay.calls("GET", f"/2/users/{ME['id']}/mentions")[-1].query["since_id"]
        == rows[0]["mention_id"]
    )
    assert again[0]["text"] == "@tunde_techs a new one" and len(again) == 6


async def test_a_spent_mentions_window_serves_the_cached_mentions(
    make_x: Make, replay: XReplay
) -> None:
    """specs/technical.md §14.3"""
    replay.mentions = [mention(1, "hello")]
    x = make_x()
    first = await x.recent_mentions(ABC, LAGOS)
    replay.limits["GET mentions"] = 0
    replay.mentions.append(mention(2, "unseen"))
    assert await x.recent_mentions(ABC, LAGOS) == first
    assert await x.recent_mentions(ABC, LAGOS) == first
    assert len(replay.calls("GET", f"/2/users/{ME['id']}/mentions")) == 2  # then the bucket says no


async def test_mentions_of_an_agent_of_another_tenant_are_not_found(make_x: Make) -> None:
    """specs/technical.md §14.2"""
    with pytest.raises(NotFound):
        await make_x().recent_mentions("tenant-xyz", LAGOS)


async def test_profiles_come_from_the_users_endpoints(make_x: Make, replay: XReplay) -> None:
    """specs/technical.md §14.2"""
    x = make_x()
    me = await x.profile(ABC, "me")
    other = await x.profile(ABC, "1111")
    assert me["username"] == ME["username"] and other["username"] == "yaba_dev"
    assert "public_metrics" in other
    assert replay.calls("GET", "/2/users/1111")[0].query["user.fields"].startswith("created_at")
    with pytest.raises(InvalidArgument):
        await x.profile(ABC, "404404")
    with pytest.raises(InvalidArgument):
        await x.profile(ABC, "not-digits")
