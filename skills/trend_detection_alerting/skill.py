"""The trend skill's async entry points (what graph nodes and the perception loop call).

Reads resources through the MCP host, detects trends, stores the alerts, and shapes the §5.1
envelope or the §7 flat alert. With no `Services` given it opens the embedded default itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from langchain_core.embeddings import Embeddings
from pydantic import ValidationError

from chimera.control.personas import PersonaError, tenant_persona
from chimera.resources import Services, open_services
from skills.trend_detection_alerting.detect import Window, detect
from skills.trend_detection_alerting.embeddings import default_embeddings
from skills.trend_detection_alerting.request import TrendRequest, TrendRequestError
from skills.trend_detection_alerting.sources import read_items, source_count
from skills.trend_detection_alerting.store import save_alerts
from state.contracts import FlatTrendAlert, TrendAlertEnvelope
from state.types import parse_utc, utc_now

T = TypeVar("T")
EmbeddingsArg = Embeddings | bool
"""An embeddings model, True for the default offline model, False for keyword groups only."""


def parse_request(data: dict[str, Any]) -> TrendRequest:
    """Validate §5.1 input.

    Raises:
        TrendRequestError: a missing, unknown or invalid field.

    """
    try:
        return TrendRequest.model_validate(data)
    except ValidationError as exc:
        raise TrendRequestError(f"invalid trend detection input: {exc}") from exc


async def with_services(fn: Callable[[Services], Awaitable[T]], svc: Services | None) -> T:
    """Run `fn` with the given services, or with the embedded default opened for the call."""
    if svc is not None:
        return await fn(svc)
    async with open_services() as own:
        return await fn(own)


async def detect_envelope(
    svc: Services, request: TrendRequest, embeddings: EmbeddingsArg = True
) -> TrendAlertEnvelope:
    """Read, detect, store; return the §5.1 envelope."""
    try:
        persona = await tenant_persona(svc.settings.agents_dir, request.tenant_id, request.agent_id)
    except PersonaError as exc:
        raise TrendRequestError(str(exc)) from exc
    items = await read_items(svc.host, request)
    model = default_embeddings(svc.settings) if embeddings is True else embeddings or None
    found = await detect(
        items,
        window=Window(parse_utc(request.now), request.window_hours),
        ids=(request.tenant_id, request.agent_id),
        regions=[persona.region],
        sources=source_count(request.resources, {i.resource for i in items}),
        min_cluster_score=request.min_cluster_score,
        max_trends=request.max_trends,
        embeddings=model,
    )
    envelope = TrendAlertEnvelope(
        tenant_id=request.tenant_id,
        agent_id=request.agent_id,
        window_hours=request.window_hours,
        generated_at=utc_now(),
        trends=found.trends,
        flagged=found.flagged,
    )
    await save_alerts(svc.pool, envelope)
    return envelope


def flatten(envelope: TrendAlertEnvelope, request: TrendRequest) -> FlatTrendAlert:
    """The §7 flat alert: topics, the best score as a real float (0.0 when none), a message."""
    topics = [t.topic for t in envelope.trends]
    relevance = float(max((t.score for t in envelope.trends), default=0.0))
    if topics:
        listed = ", ".join(f"{t.topic} ({t.score:.2f})" for t in envelope.trends)
        message = f"{len(topics)} trend(s) for {request.agent_id}: {listed}."
    else:
        message = (
            f"No trend reached {request.min_cluster_score:.2f} in the {request.window_hours}h"
            f" before {request.now}."
        )
    if envelope.flagged:
        message += (
            f" {len(envelope.flagged)} untrusted item(s) tried to instruct the agent;"
            " flagged and ignored."
        )
    return FlatTrendAlert(
        trend_alert=bool(topics), topics=topics, relevance_score=relevance, alert_message=message
    )


async def aexecute_trend_detection(
    svc: Services | None = None, *, embeddings: EmbeddingsArg = True, **data: Any
) -> dict[str, Any]:
    """Async twin of `execute_trend_detection`; returns the §5.1 envelope as a plain dict."""
    request = parse_request(data)
    envelope = await with_services(lambda s: detect_envelope(s, request, embeddings), svc)
    return envelope.model_dump(mode="json")


async def afetch_and_filter_trends(
    svc: Services | None = None, *, embeddings: EmbeddingsArg = True, **data: Any
) -> dict[str, Any]:
    """Async twin of `fetch_and_filter_trends`; returns the §7 flat alert as a plain dict."""
    request = parse_request(data)
    envelope = await with_services(lambda s: detect_envelope(s, request, embeddings), svc)
    return flatten(envelope, request).model_dump(mode="json")
