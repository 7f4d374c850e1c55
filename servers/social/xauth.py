"""Request signing for the X API: OAuth 1.0a HMAC-SHA1 (RFC 5849 §3.4) or an OAuth 2.0 bearer.

The signature base string and the HMAC-SHA1 signature come from authlib's RFC 5849
implementation; this module only decides what is signed (query and form-body parameters and the
`oauth_*` protocol parameters; JSON bodies are not signed) and keeps nonce and clock injectable so
a replayed server can verify a signature.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import httpx
from authlib.oauth1.rfc5849.signature import construct_base_string, hmac_sha1_signature
from authlib.oauth1.rfc5849.util import escape as pct


def base_string(method: str, url: str, params: list[tuple[str, str]]) -> str:
    """The signature base string of RFC 5849 §3.4.1."""
    return str(construct_base_string(method, url, params))


def hmac_sha1(base: str, consumer_secret: str, token_secret: str) -> str:
    """Base64 HMAC-SHA1 of `base` keyed by the two secrets (RFC 5849 §3.4.2)."""
    return str(hmac_sha1_signature(base, consumer_secret, token_secret))


@dataclass(frozen=True)
class OAuth1Credentials:
    """A user's OAuth 1.0a tokens and the app's consumer keys."""

    consumer_key: str
    consumer_secret: str = field(repr=False)
    token: str = field(repr=False)
    token_secret: str = field(repr=False)


@dataclass
class OAuth1(httpx.Auth):
    """httpx auth that signs every request with OAuth 1.0a HMAC-SHA1."""

    creds: OAuth1Credentials = field(repr=False)
    nonce: Callable[[], str] = field(default=lambda: secrets.token_hex(16))
    clock: Callable[[], int] = field(default=lambda: int(time.time()))

    def header(
        self, method: str, url: str, params: list[tuple[str, str]], extra: Mapping[str, str] = {}
    ) -> str:
        """The `Authorization: OAuth ...` value for a request.

        Args:
            method: HTTP method.
            url: base URL (scheme, host, path; no query).
            params: query and form-body parameters.
            extra: additional `oauth_*` protocol parameters (e.g. `oauth_callback`).

        """
        oauth = {
            "oauth_consumer_key": self.creds.consumer_key,
            "oauth_nonce": self.nonce(),
            "oauth_signature_method": "HMAC-SHA1",
            "oauth_timestamp": str(self.clock()),
            "oauth_token": self.creds.token,
            "oauth_version": "1.0",
            **extra,
        }
        base = base_string(method, url, [*params, *oauth.items()])
        oauth["oauth_signature"] = hmac_sha1(
            base, self.creds.consumer_secret, self.creds.token_secret
        )
        return "OAuth " + ", ".join(f'{pct(k)}="{pct(v)}"' for k, v in sorted(oauth.items()))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign the request (query parameters, and a form body if there is one)."""
        params = list(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params += parse_qsl(request.content.decode(), keep_blank_values=True)
        url = str(request.url.copy_with(query=None, fragment=None))
        request.headers["Authorization"] = self.header(request.method, url, params)
        yield request


@dataclass
class Bearer(httpx.Auth):
    """OAuth 2.0 user-context (or app-only) bearer token."""

    token: str = field(repr=False)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the bearer header."""
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request
