"""Plumbing shared by the console's pages: services, the signed-in principal, rendering.

Each page handler gets a `Page`: the process's `Services`, the session and its principal, and a
`render` that fills the base template (navigation, CSRF token) and refreshes the cookie.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import DictLoader, Environment, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from chimera.platform.api_keys import Principal
from chimera.resources import Services
from chimera.serving.console.session import CsrfError, Session, Sessions, check_csrf

TEMPLATES = Path(__file__).with_name("templates")
ServicesFn = Callable[[], Awaitable[Services]]

# Read once at import: a loader that opens files would block the server's event loop per page.
templates = Environment(
    loader=DictLoader({p.name: p.read_text(encoding="utf-8") for p in TEMPLATES.glob("*.html")}),
    autoescape=select_autoescape(["html"]),
)


class NotSignedIn(Exception):
    """The request has no signed-in session."""


class Console:
    """The app-wide state: how to get Services, and the session signer (made on first use)."""

    def __init__(self, services: ServicesFn) -> None:
        self._services = services
        self._sessions: Sessions | None = None

    async def page(self, request: Request, *, signed_in: bool = True) -> Page:
        """The page context of a request; raises NotSignedIn when one is needed and absent."""
        svc = await self._services()
        if self._sessions is None:
            self._sessions = Sessions(svc.settings)
        session = self._sessions.read(request)
        if signed_in and session.principal is None:
            raise NotSignedIn
        return Page(request, svc, self._sessions, session)


@dataclass
class Page:
    """One request's services, session and helpers."""

    request: Request
    svc: Services
    sessions: Sessions
    session: Session

    @property
    def principal(self) -> Principal:
        """The signed-in principal (pages behind sign-in only)."""
        assert self.session.principal is not None
        return self.session.principal

    @property
    def tenant(self) -> str:
        """The signed-in tenant."""
        return self.principal.tenant_id

    @property
    def htmx(self) -> bool:
        """Whether HTMX sent the request (answer with a fragment, not a page)."""
        return self.request.headers.get("hx-request") == "true"

    async def form(self) -> dict[str, Any]:
        """The posted form, after checking its CSRF token (raises CsrfError)."""
        form = await self.request.form()
        check_csrf(self.session, form.get("csrf"))
        return {k: form.getlist(k) if k == "review_id" else form.get(k) for k in form}

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        """A template filled with `values`, the CSRF token and the principal."""
        html = templates.get_template(name).render(
            csrf=self.session.csrf,
            principal=self.session.principal,
            path=self.request.url.path,
            **values,
        )
        response = HTMLResponse(html, status_code=status)
        self.sessions.write(response, self.session)
        return response

    def redirect(self, url: str) -> Response:
        """A 303 to `url` (after a POST), keeping the session cookie."""
        response = RedirectResponse(url, status_code=303)
        self.sessions.write(response, self.session)
        return response


__all__ = ["Console", "CsrfError", "NotSignedIn", "Page", "ServicesFn", "templates"]
