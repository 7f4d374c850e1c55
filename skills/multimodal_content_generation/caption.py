"""The caption of a creative brief: deterministic, persona-labelled, within platform limits.

Key messages that touch a forbidden topic are left out (and reported); a goal that does is
refused, since no caption could serve it.
"""

from __future__ import annotations

from chimera.strategies.topics import topics_in
from chimera.strategies.writer import disclosure_tail, headline, limit_for
from skills.multimodal_content_generation.request import ContentRequest, ContentRequestError
from state.persona import Persona


def _fit(body: str, tail: str, limit: int) -> str:
    room = limit - len(tail) - 1
    if len(body) > room:
        body = body[: max(0, room - 1)].rsplit(" ", 1)[0] + "…"
    return f"{body} {tail}".strip()


def write_caption(request: ContentRequest, persona: Persona) -> tuple[str, list[str], list[str]]:
    """Caption text, hashtags, and notes on what was left out.

    Raises:
        ContentRequestError: the brief's goal itself touches a forbidden topic.

    """
    forbidden = [*request.persona_constraints.forbidden_topics, *persona.forbidden_topics]
    brief = request.creative_brief
    if hit := topics_in(brief.goal, forbidden):
        raise ContentRequestError(f"the brief's goal touches forbidden topics: {', '.join(hit)}")
    kept, notes = [], []
    for message in brief.key_messages:
        if hit := topics_in(message, forbidden):
            notes.append(f"left out key message {message!r} (forbidden: {', '.join(hit)})")
        else:
            kept.append(message)
    tone = (brief.tone or persona.voice or ["fresh"])[0]
    body = f"{headline(brief.goal)}: {', '.join(kept).lower() or persona.niche[0]}."
    body = f"{tone.capitalize()} energy! {body} {brief.cta or persona.call_to_action}".strip()
    hashtags = list(persona.hashtags[:4])
    tail = " ".join([*hashtags, disclosure_tail(persona)])
    return _fit(body, tail, limit_for(request.platform)), hashtags, notes
