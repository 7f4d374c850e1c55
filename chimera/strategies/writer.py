"""Deterministic caption and reply writer, persona-aware and within platform limits."""

from __future__ import annotations

import hashlib
import re

from chimera.platform.untrusted import normalise, quote, safe_label
from chimera.strategies.topics import looks_like_injection, topics_in
from state.contracts import CaptionPayload, Task, TaskType
from state.memory import MemoryContext
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


def gist(mention: str, words: int = 8) -> str:
    """A short sanitised quote of a mention (no links, domains, handles, addresses).

    Quoting the mention makes each reply its own text: X refuses a second post whose text
    repeats an earlier one, so two replies must never be worded alike. Injected text is never
    quoted (`chimera.platform.untrusted.quote` returns "").
    """
    return quote(mention, words)


def safe_angle(task: Task, persona: Persona) -> str:
    """The post's angle: a checked label from the task, else the persona's own niche."""
    own = persona.niche[0] if persona.niche else ""
    given = task.params.get("angle")
    return (safe_label(str(given)) if given else None) or own


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
    prompt_version = "template_v1"

    async def write(
        self, task: Task, persona: Persona, memory: MemoryContext | None = None
    ) -> CaptionPayload:
        """Draft a post caption or a reply (templates need no memory)."""
        platform = task.params.get("platform", persona.platforms[0])
        if task.task_type == TaskType.REPLY_COMMENT:
            return self._reply(task, persona, platform)
        return self._post(task, persona, platform)

    def _post(self, task: Task, persona: Persona, platform: str) -> CaptionPayload:
        seed = task.task_id
        voice = _pick(persona.voice_words or persona.voice or ["new"], seed)
        angle = safe_angle(task, persona)
        goal = headline(task.goal.goal_description)
        hashtags = list(persona.hashtags[:4])
        tail = " ".join([persona.call_to_action, *hashtags, disclosure_tail(persona)]).strip()
        mood = f"{angle} is the mood right now."
        text = f"{voice.capitalize()}! {goal} is here — {mood} {persona.tone_notes}"
        return CaptionPayload(
            text=_fit(text, tail, limit_for(platform)), platform=platform, hashtags=hashtags
        )

    def _reply(self, task: Task, persona: Persona, platform: str) -> CaptionPayload:
        # The author's handle is untrusted: the reply threads by `reply_to_id`, never names it.
        task = task.model_copy(
            update={
                "params": {
                    **task.params,
                    "mention_text": normalise(str(task.params.get("mention_text", ""))),
                }
            }
        )
        body = reply_body(task, persona)
        text = _fit(body.strip(), disclosure_tail(persona), limit_for(platform))
        return CaptionPayload(
            text=text, platform=platform, hashtags=[], reply_to_id=task.params.get("mention_id")
        )


_THANKS = (
    "Thank you! {voice} — “{about}” made my day.",
    "{voice}! So glad “{about}” landed with you.",
    "Appreciate you! “{about}” — that is exactly the spirit.",
    "This means a lot — “{about}”. {voice}!",
)


def _answer(task: Task, room: int) -> str:
    """Facts that fit, verbatim; without a fact, an honest deferral that guesses nothing."""
    facts = [f for f in task.params.get("facts", "").split("\n") if f.strip()]
    if not facts:
        topic = task.params.get("topic") or "that"
        return f"Honest answer: I don't have confirmed details on {topic} yet, so I won't guess."
    body = "Good question!"
    for fact in facts:
        if len(body) + len(fact) + 1 > room and body != "Good question!":
            break
        body = f"{body} {fact.rstrip('.')}."
    return body


def reply_body(task: Task, persona: Persona) -> str:
    """The reply for the mention's intent (the text after the author's handle)."""
    mention, intent = task.params.get("mention_text", ""), task.params.get("intent", "")
    lane = persona.niche[0] if persona.niche else persona.topics[0]
    if looks_like_injection(mention):
        return f"Thanks for stopping by — I only talk {lane} here."
    if topics_in(mention, persona.forbidden_topics):
        return f"I keep my feed about {lane}, so I'll sit this one out."
    if sensitive := topics_in(mention, ["finance", "health", "legal", *persona.sensitive_topics]):
        return (
            f"{lane.capitalize()} is my lane, not {sensitive[0]} advice, so I'll leave that"
            " question to a professional."
        )
    if intent == "complaint":
        return "I'm sorry this happened. A person from my team will look into it with you."
    if intent == "product_question":
        # The persona's own hashtag keeps a factual answer in its voice (and threads it).
        tag = f" {persona.hashtags[0]}" if persona.hashtags else ""
        room = limit_for(task.params.get("platform", "")) - 40 - len(tag)
        return _answer(task, room) + tag
    voice = _pick(persona.voice_words or ["so glad"], task.task_id).capitalize()
    about = gist(mention) or lane
    return _pick(list(_THANKS), task.task_id + "thanks").format(voice=voice, about=about)
