"""Sponsored posts carry the paid-partnership disclosure, and the judge rejects one without it.

See specs/economics.md §4. Runs against the real sample persona with a campaign policy naming a
sponsor, the way a run applies it.
"""

from __future__ import annotations

from chimera.control.policy import PolicyOverrides, effective_persona
from chimera.strategies.guardrails import assess
from chimera.strategies.writer import TemplateWriter
from nodes.commit import disclosure_of
from state.context import Context
from state.persona import Persona
from state.records import Envelope, RunRef
from tests.support.builders import ETHIOPIA, clean_score, make_artifact, make_task, persona

ON_VOICE = "Slay! Our summer fashion line is here. #EthiopiaFashion #AIcreator"


def sponsored() -> Persona:
    """The sample persona under a campaign sponsored by Brand ABC."""
    return effective_persona(persona(ETHIOPIA), PolicyOverrides(sponsor="Brand ABC"))


def test_a_campaign_sponsor_reaches_the_persona_disclosure_and_unsponsored_stays_none() -> None:
    """specs/economics.md §4.1"""
    assert sponsored().disclosure.sponsor == "Brand ABC"
    assert effective_persona(persona(ETHIOPIA), PolicyOverrides()).disclosure.sponsor is None


async def test_the_writer_tags_a_sponsored_post_and_reply_with_ad_and_not_an_unsponsored_one() -> (
    None
):
    """specs/economics.md §4.2"""
    writer = TemplateWriter()
    post = await writer.write(make_task(), sponsored())
    assert "#ad" in post.text.split() and post.text.rstrip().endswith("#AIcreator")
    reply = make_task(task_type="reply_comment", params={"mention_text": "love it"})
    assert "#ad" in (await writer.write(reply, sponsored())).text.split()
    assert "#ad" not in (await writer.write(make_task(), persona(ETHIOPIA))).text.split()


def test_the_judge_rejects_a_sponsored_post_without_ad_and_approves_it_with_ad() -> None:
    """specs/economics.md §4.3"""
    missing = assess(make_artifact(ON_VOICE), sponsored(), clean_score(), Context())
    assert missing.decision == "reject"
    assert any("Brand ABC" in r and "#ad" in r for r in missing.reasons)
    lookalike = assess(
        make_artifact(ON_VOICE.replace("#AIcreator", "#adventure #AIcreator")),
        sponsored(),
        clean_score(),
        Context(),
    )
    assert lookalike.decision == "reject"  # #adventure is not #ad
    tagged = assess(
        make_artifact(ON_VOICE.replace("#AIcreator", "#ad #AIcreator")),
        sponsored(),
        clean_score(),
        Context(),
    )
    assert tagged.decision == "approve"
    plain = assess(make_artifact(ON_VOICE), persona(ETHIOPIA), clean_score(), Context())
    assert plain.decision == "approve"


def test_a_sponsored_posts_disclosure_names_the_sponsor_and_tags_it_ad() -> None:
    """specs/economics.md §4.2"""
    run = RunRef(
        tenant_id="tenant-xyz",
        agent_id=ETHIOPIA,
        campaign_id="cmp-1",
        thread_id="t",
        state_version=1,
    )
    env = Envelope(run=run, task=make_task(), persona=sponsored())
    disclosure = disclosure_of(env)
    assert disclosure.sponsor == "Brand ABC"
    assert disclosure.compliance_tags == ["ai_generated", "ad"]
    plain = disclosure_of(env.model_copy(update={"persona": persona(ETHIOPIA)}))
    assert (plain.sponsor, plain.compliance_tags) == (None, ["ai_generated"])
