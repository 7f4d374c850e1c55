"""Deterministic caption and reply writer, persona-aware and within platform limits."""

from __future__ import annotations

import hashlib
import re

from chimera.strategies.topics import looks_like_injection, topics_in
from state.contracts import CaptionPayload, Task, TaskType
from state.persona import AD_TAG, Persona

PLATFORM_LIMITS = {"twitter": 280, "x": 280, "tiktok": 2200, "instagram": 2200}
DEFAULT_LIMIT = 2200


def limit_for(platform: str) -> int:
    """Caption length limit of a platform."""
    return PLATFORM_LIMITS.get(platform, DEFAULT_LIMIT)


def _pick(options: list[str], seed: str) -> str:
    index = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(options)
    return options[index]


_VERB = re.compile(
    r"^(promote|launch|announce|celebrate|showcase|sell|introduce|share|highlight|tease)\s+", re.I
)
_ON_PLATFORM = re.compile(r"\s+on\s+(tiktok|instagram|twitter|x|youtube)\s*$", re.I)


def headline(goal: str) -> str:
    """Turn an imperative goal into a caption hook: "Promote the line on TikTok." -> "The line"."""
    subject = _ON_PLATFORM.sub("", _VERB.sub("", goal.strip().rstrip(".!")))
    return subject[:1].upper() + subject[1:]


_HANDLE_OR_URL = re.compile(r"(@\w+|https?://\S+)")


def gist(mention: str, words: int = 8) -> str:
    """The opening words of a mention without handles or links, to answer it by name.

    Quoting the mention makes each reply its own text: X refuses a second post whose text
    repeats an earlier one, so two replies must never be worded alike.
    """
    parts = _HANDLE_OR_URL.sub(" ", mention).split()
    head = " ".join(parts[:words]).rstrip(",;:")
    return head + ("…" if len(parts) > words else "")


def disclosure_tail(persona: Persona) -> str:
    """The labels every post ends with: the sponsor's AD_TAG (if sponsored), then the AI label."""
    sponsored = AD_TAG if persona.disclosure.sponsor else ""
    return " ".join(t for t in (sponsored, persona.disclosure.label) if t)


def _fit(text: str, tail: str, limit: int) -> str:
    room = limit - len(tail) - 1
    body = text if len(text) <= room else text[: max(0, room - 1)].rsplit(" ", 1)[0] + "…"
    return f"{body} {tail}".strip()


class TemplateWriter:
    """Writes from the persona's voice words, hashtags and call to action."""

    name = "template-writer-v1"

    async def write(self, task: Task, persona: Persona) -> CaptionPayload:
        """Draft a post caption or a reply."""
        platform = task.params.get("platform", persona.platforms[0])
        if task.task_type == TaskType.REPLY_COMMENT:
            return self._reply(task, persona, platform)
        return self._post(task, persona, platform)

    def _post(self, task: Task, persona: Persona, platform: str) -> CaptionPayload:
        seed = task.task_id
        voice = _pick(persona.voice_words or persona.voice or ["new"], seed)
        angle = task.params.get("angle", persona.niche[0] if persona.niche else "")
        goal = headline(task.goal.goal_description)
        hashtags = list(persona.hashtags[:4])
        tail = " ".join([persona.call_to_action, *hashtags, disclosure_tail(persona)]).strip()
        mood = f"{angle} is the mood right now."
        text = f"{voice.capitalize()}! {goal} is here — {mood} {persona.tone_notes}"
        return CaptionPayload(
            text=_fit(text, tail, limit_for(platform)), platform=platform, hashtags=hashtags
        )

    def _reply(self, task: Task, persona: Persona, platform: str) -> CaptionPayload:
        author = task.params.get("author", "")
        mention = task.params.get("mention_text", "")
        lane = persona.niche[0] if persona.niche else persona.topics[0]
        if looks_like_injection(mention):
            body = f"Thanks for stopping by — I only talk {lane} here."
        elif topics_in(mention, persona.forbidden_topics):
            body = f"I keep my feed about {lane}, so I'll sit this one out."
        elif sensitive := topics_in(mention, ["finance", "health", "legal"]):
            body = (
                f"{lane.capitalize()} is my lane, not {sensitive[0]} advice, so I'll leave that"
                " question to a professional."
            )
        else:
            voice = _pick(persona.voice_words or ["so glad"], task.task_id).capitalize()
            about = gist(mention)
            body = f"Thank you! {voice}" + (f" — on “{about}”" if about else "")
            body += f" — {persona.call_to_action}"
        text = _fit(f"{author} {body}".strip(), disclosure_tail(persona), limit_for(platform))
        return CaptionPayload(
            text=text, platform=platform, hashtags=[], reply_to_id=task.params.get("mention_id")
        )
