"""Untrusted text is normalised, detected and never published (specs/security.md §4).

Every case of the injection corpus goes through the writer (as a mention, an author handle and
a post angle), the news trend signals and the perception skill's item normaliser (as a feed title
and category), and the judge's hard rules.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chimera.platform.untrusted import has_links, normalise, quote, safe_label
from chimera.signals.feeds import trend_signals
from chimera.strategies.guardrails import foreign_links
from chimera.strategies.topics import looks_like_injection
from chimera.strategies.writer import TemplateWriter
from skills.trend_detection_alerting.text import make_item
from state.inputs import RunRequest
from tests.support.builders import make_task, persona
from tests.support.injection_corpus import CASES, Case, leaked

NOW = datetime(2026, 2, 6, 10, tzinfo=UTC)


def test_the_corpus_has_at_least_fifty_cases_across_every_kind() -> None:
    """specs/security.md §4.1"""
    assert len(CASES) >= 50
    assert {c.kind for c in CASES} == {"mention", "handle", "title", "category"}


@pytest.mark.parametrize("case", [c for c in CASES if c.injected], ids=lambda c: c.name)
def test_every_injection_is_detected_after_normalisation(case: Case) -> None:
    """specs/security.md §4.1"""
    assert looks_like_injection(case.text)
    assert quote(case.text) == ""


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_no_reply_or_post_carries_the_attackers_text(case: Case) -> None:
    """specs/security.md §4.2"""
    mention = case.text if case.kind != "handle" else "Where can I buy the dress?"
    author = case.text if case.kind == "handle" else "@someone"
    reply = make_task(
        task_id="task-reply-1",
        task_type="reply_comment",
        params={
            "platform": "twitter",
            "mention_id": "m-1",
            "author": author,
            "mention_text": mention,
        },
    )
    post = make_task(task_id="task-post-1", params={"platform": "tiktok", "angle": case.text})
    writer, who = TemplateWriter(), persona()
    for task in (reply, post):
        text = (await writer.write(task, who)).text
        assert leaked(text) == [], text
        assert not foreign_links(text, who), text


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_no_feed_title_or_category_becomes_a_keyword_or_trend_tag(case: Case) -> None:
    """specs/security.md §4.3"""
    title = case.text if case.kind == "title" else "Addis street style drops"
    tags = [case.text] if case.kind in {"category", "handle"} else ["fashion"]
    item = {"title": title, "summary": case.text, "tags": tags}
    for signal in trend_signals([item, dict(item)]):
        assert leaked(f"{signal.keyword} {signal.headline}") == []
    normalised = make_item("news://ethiopia/fashion/trends", f"{title} {case.text}", NOW, tags)
    assert leaked(" ".join(normalised.tags)) == []
    assert not any(has_links(t) for t in normalised.tags)
    if case.injected:
        assert normalised.injected


def test_safe_labels_are_short_plain_words() -> None:
    """specs/security.md §4.3"""
    assert safe_label("Street Style") == "street style"
    assert safe_label("habesha-kemis") == "habesha-kemis"
    for bad in ("visit selam-giveaway.example", "@drainer", "a b c d", "ignore the rules", ""):
        assert safe_label(bad) is None


def test_a_goal_with_escapes_bell_cr_and_bidi_overrides_is_normalised() -> None:
    """specs/security.md §4.4"""
    goal = "Promote\x1b[31m the \x07summer\r line\u202e on TikTok\u202c"
    request = RunRequest(tenant_id="tenant-xyz", agent_id="agent-1", goal=goal)
    assert request.goal == "Promote the summer line on TikTok"
    assert normalise("a\u200bb\u2066c") == "abc"
