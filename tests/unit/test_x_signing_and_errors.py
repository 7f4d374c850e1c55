"""OAuth 1.0a signing against published known answers, and the host's typed X errors.

See specs/technical.md §14.2 (signing) and §14.5 (errors on the wire).
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from chimera.mcp.errors import (
    InvalidMedia,
    InvalidToolArguments,
    ToolConflict,
    ToolDuplicate,
    ToolRateLimited,
    ToolUnauthorized,
    from_message,
)
from servers.social.errors import RateLimited
from servers.social.xapi import RateWindow
from servers.social.xauth import OAuth1, OAuth1Credentials, base_string, hmac_sha1


def test_the_rfc5849_example_request_signs_to_its_published_signature() -> None:
    """specs/technical.md §14.2"""
    params = [
        ("file", "vacation.jpg"),
        ("size", "original"),
        ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
        ("oauth_token", "nnch734d00sl2jdk"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131202"),
        ("oauth_nonce", "chapoH"),
    ]
    base = base_string("GET", "http://photos.example.net/photos", params)
    assert hmac_sha1(base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00") == "MdpQcU8iPSUjWoN/UDMsK2sui9I="


def test_the_x_docs_example_post_signs_to_its_published_signature() -> None:
    """specs/technical.md §14.2"""
    creds = OAuth1Credentials(
        "xvz1evFS4wEEPTGEFPHBog",
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    )
    auth = OAuth1(
        creds, nonce=lambda: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", clock=lambda: 1318622958
    )
    request = httpx.Request(
        "POST",
        "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
        data={"status": "Hello Ladies + Gentlemen, a signed OAuth request!"},
    )
    next(auth.auth_flow(request))
    header = request.headers["authorization"]
    assert 'oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"' in header
    assert header.startswith('OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog"')


def test_rate_limit_headers_parse_and_missing_ones_are_none() -> None:
    """specs/technical.md §14.3"""
    window = RateWindow.of(
        httpx.Headers(
            {
                "x-rate-limit-limit": "200",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": "1770000000",
            }
        )
    )
    assert (window.limit, window.remaining) == (200, 0)
    assert window.reset == datetime.fromtimestamp(1770000000, UTC)
    assert RateWindow.of(httpx.Headers({})) == RateWindow(None, None, None)


def test_a_rate_limited_server_error_reaches_the_host_as_deferrable_with_its_reset() -> None:
    """specs/technical.md §14.5"""
    sent = RateLimited(
        "X tweets:create: Too Many Requests", datetime(2026, 2, 6, 10, 15, tzinfo=UTC)
    )
    error = from_message("social", "post_content", str(sent))
    assert isinstance(error, ToolRateLimited) and not error.retryable and error.deferrable
    assert error.retry_at == datetime(2026, 2, 6, 10, 15, tzinfo=UTC)


def test_x_error_codes_map_to_their_typed_host_errors() -> None:
    """specs/technical.md §14.5"""
    assert isinstance(from_message("s", "t", "[unauthorized] bad token"), ToolUnauthorized)
    dup = from_message("s", "t", "[duplicate] X refused")
    assert isinstance(dup, ToolDuplicate) and isinstance(dup, ToolConflict)
    media = from_message("s", "t", "[invalid_media] nope")
    assert isinstance(media, InvalidMedia) and isinstance(media, InvalidToolArguments)
