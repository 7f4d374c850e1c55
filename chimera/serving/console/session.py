"""Who is signed in to the console, kept in a signed, HTTP-only, SameSite cookie.

An operator signs in with the same API key as the LangGraph server (`CHIMERA_API_KEYS`); the
cookie keeps the key's principal (tenant and optional user), never the key. Every form carries
the session's CSRF token and every POST is refused without it. The cookie is signed with
`CHIMERA_CONSOLE_SECRET` (a random key per process when unset) and expires after 12 hours.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from chimera.platform.api_keys import Principal, parse_principal
from chimera.platform.settings import Settings
from chimera.serving.auth import resolve_key

COOKIE = "chimera_console"
PATH = "/console"
MAX_AGE_S = 12 * 3600


class CsrfError(PermissionError):
    """A form came without this session's CSRF token."""


@dataclass(frozen=True)
class Session:
    """The console session: a CSRF token, and the principal once signed in."""

    csrf: str
    principal: Principal | None = None


class Sessions:
    """Reads and writes console sessions for one app (one signing key)."""

    def __init__(self, settings: Settings) -> None:
        secret = settings.console_secret
        key = secret.get_secret_value() if secret else secrets.token_urlsafe(32)
        self._signer = URLSafeTimedSerializer(key, salt="chimera-console")
        self._secure = settings.console_secure_cookies
        self._keys = dict(settings.api_keys)

    def read(self, request: Request) -> Session:
        """The request's session, or a fresh anonymous one."""
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data = self._signer.loads(raw, max_age=MAX_AGE_S)
            except BadSignature:
                data = None
            if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                tenant = data.get("tenant")
                principal = Principal(tenant, data.get("user")) if tenant else None
                return Session(data["csrf"], principal)
        return Session(secrets.token_urlsafe(24))

    def write(self, response: Response, session: Session) -> None:
        """Store `session` in the response's cookie."""
        p = session.principal
        data = {"csrf": session.csrf, "tenant": p and p.tenant_id, "user": p and p.user}
        response.set_cookie(
            COOKIE,
            self._signer.dumps(data),
            max_age=MAX_AGE_S,
            path=PATH,
            httponly=True,
            samesite="lax",
            secure=self._secure,
        )

    def sign_in(self, key: str) -> Principal | None:
        """The principal of an API key, or None when the key is unknown."""
        value = resolve_key(self._keys, key.strip()) if key.strip() else None
        return None if value is None else parse_principal(value)


def check_csrf(session: Session, presented: object) -> None:
    """Refuse a form whose token is not this session's.

    Raises:
        CsrfError: missing or wrong token.

    """
    if not isinstance(presented, str) or not hmac.compare_digest(presented, session.csrf):
        raise CsrfError("the form expired or did not come from this console; reload the page")
