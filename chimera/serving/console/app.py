"""The console's ASGI app, mounted by the LangGraph server through `langgraph.json` `http.app`.

`make dev` and a deployment serve the LangGraph API and the console (under `/console`) from one
process; the console uses that process's `Services` (`process_services()`), so it shares the
database and the MCP host with the graphs. `create_app` takes the services getter so tests can
serve the console over their own services.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from chimera.control.agent_state import AgentNotFound
from chimera.control.calendar import PostNotFound
from chimera.control.occ import CampaignNotFound
from chimera.runs.threads import ReviewNotFound
from chimera.serving.console import agents, calendar_view, operations, reviews, spend
from chimera.serving.console.session import Session
from chimera.serving.console.web import Console, CsrfError, NotSignedIn, Page, ServicesFn
from chimera.serving.process import process_services

STATIC = Path(__file__).with_name("static")
Handler = Callable[[Page, Request], Awaitable[Response]]


def _page(console: Console, handler: Handler, *, signed_in: bool = True) -> Callable[..., object]:
    """Wrap a handler: sign-in redirect, CSRF refusal (403), another tenant's object (404)."""

    async def endpoint(request: Request) -> Response:
        try:
            page = await console.page(request, signed_in=signed_in)
        except NotSignedIn:
            return Response(status_code=303, headers={"location": "/console/signin"})
        try:
            return await handler(page, request)
        except CsrfError as exc:
            return page.render("message.html", 403, title="Refused", message=str(exc))
        except (ReviewNotFound, CampaignNotFound, AgentNotFound, PostNotFound):
            return page.render("message.html", 404, title="Not found", message="Not found.")

    return endpoint


async def _signin_form(page: Page, request: Request) -> Response:
    return page.render("signin.html", error=None)


async def _signin(page: Page, request: Request) -> Response:
    form = await page.form()
    principal = page.sessions.sign_in(str(form.get("api_key") or ""))
    if principal is None:
        return page.render("signin.html", 401, error="Unknown API key.")
    # A new CSRF token with the new principal: a token seen before sign-in is worth nothing.
    page.session = Session(secrets.token_urlsafe(24), principal)
    return page.redirect("/console/reviews")


async def _signout(page: Page, request: Request) -> Response:
    await page.form()
    page.session = Session(page.session.csrf, None)
    return page.redirect("/console/signin")


def create_app(services: ServicesFn) -> Starlette:
    """The console app over `services` (the server process's, or a test's)."""
    c = Console(services)
    routes = [
        Route("/console", _page(c, lambda p, r: _home(p)), methods=["GET"]),
        Route("/console/signin", _page(c, _signin_form, signed_in=False), methods=["GET"]),
        Route("/console/signin", _page(c, _signin, signed_in=False), methods=["POST"]),
        Route("/console/signout", _page(c, _signout), methods=["POST"]),
        Route("/console/reviews", _page(c, lambda p, r: reviews.queue(p)), methods=["GET"]),
        Route(
            "/console/reviews/approve",
            _page(c, lambda p, r: reviews.bulk_approve(p)),
            methods=["POST"],
        ),
        Route(
            "/console/reviews/{review_id}/{action:str}",
            _page(c, _review_action),
            methods=["POST"],
        ),
        Route("/console/fleet", _page(c, lambda p, r: operations.fleet(p)), methods=["GET"]),
        Route(
            "/console/campaigns", _page(c, lambda p, r: operations.campaigns(p)), methods=["GET"]
        ),
        Route("/console/campaigns/{campaign_id}", _page(c, _campaign), methods=["GET", "POST"]),
        Route("/console/agents/{agent_id}/{action:str}", _page(c, _agent_action), methods=["POST"]),
        Route("/console/calendar", _page(c, lambda p, r: calendar_view.week(p)), methods=["GET"]),
        Route("/console/posts/{post_id}/{action:str}", _page(c, _post_action), methods=["POST"]),
        Route("/console/spend", _page(c, lambda p, r: spend.spend(p)), methods=["GET"]),
        # check_dir=False: the folder ships with the package; checking it would block the loop.
        Mount("/console/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
    return Starlette(routes=routes)


async def _home(page: Page) -> Response:
    return page.redirect("/console/reviews")


async def _review_action(page: Page, request: Request) -> Response:
    action = request.path_params["action"]
    if action not in ("approve", "edit", "reject"):
        return page.render("message.html", 404, title="Not found", message="Not found.")
    return await reviews.act(page, request.path_params["review_id"], action)


async def _agent_action(page: Page, request: Request) -> Response:
    action = request.path_params["action"]
    if action not in ("pause", "resume"):
        return page.render("message.html", 404, title="Not found", message="Not found.")
    notice = await agents.set_paused(page, request.path_params["agent_id"], action == "pause")
    if notice.startswith("Not"):
        return await operations.fleet(page, notice=notice, status=403)
    return agents.back_to_fleet(page, notice)


async def _post_action(page: Page, request: Request) -> Response:
    action = request.path_params["action"]
    if action not in ("cancel", "reschedule"):
        return page.render("message.html", 404, title="Not found", message="Not found.")
    return await calendar_view.act(page, request.path_params["post_id"], action)


async def _campaign(page: Page, request: Request) -> Response:
    campaign_id = request.path_params["campaign_id"]
    if request.method == "POST":
        return await operations.update(page, campaign_id)
    return await operations.campaign(page, campaign_id)


app = create_app(process_services)
"""`langgraph.json` `http.app`: the console over the server process's services."""
