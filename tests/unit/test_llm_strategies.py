"""LLM strategies parsed into the same contracts as the deterministic ones (specs/technical.md
§5.2 LLM planner, §5.4 Scorers), driven by a scripted fake chat model (no network, no key).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from chimera.strategies.base import PlanRequest, Score
from chimera.strategies.llm import LlmPlanner, LlmScorer, LlmWriter
from chimera.strategies.registry import DETERMINISTIC, StrategyCache, from_chat_model
from state.context import Context
from state.contracts import CaptionPayload
from state.engagement import Engagement, Intent
from state.plan import TaskDAG, validate_dag
from state.records import Mention
from tests.support.builders import ETHIOPIA, NOW, make_task, persona


def _model(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]))


def _request() -> PlanRequest:
    mention = Mention(
        mention_id="mention-eth-001",
        platform="tiktok",
        author_handle="@bole.kid",
        text="That summer streetwear drop is everything!",
        created_at=NOW,
    )
    return PlanRequest(
        goal="Promote the summer line and reply to fans.",
        persona=persona(ETHIOPIA),
        trends=[],
        mentions=[mention],
        context=Context(),
        engagements=[Engagement(mention=mention, intent=Intent.COMPLIMENT, action="reply")],
    )


PLAN: dict[str, Any] = {
    "rationale": "Post on TikTok, then answer the fan.",
    "tasks": [
        {
            "key": "post-tiktok",
            "task_type": "publish_post",
            "priority": "high",
            "depends_on": [],
            "params": {"platform": "tiktok", "angle": "netela"},
        },
        {
            "key": "reply-1",
            "task_type": "reply_comment",
            "priority": "low",
            "depends_on": ["post-tiktok"],
            "params": {"platform": "tiktok", "mention_id": "mention-eth-001"},
        },
    ],
}


async def test_llm_planner_returns_the_task_dag_the_model_wrote() -> None:
    """specs/technical.md §5.2 (LLM planner output into `TaskDAG`); specs/engagement.md §1.1"""
    dag = await LlmPlanner(_model(json.dumps(PLAN)), "fake").plan(_request())
    assert isinstance(dag, TaskDAG)
    assert dag.tasks[0] == TaskDAG.model_validate(PLAN).tasks[0]
    # The model's own reply is replaced by the reply to the mention the ledger handed the run.
    assert validate_dag(dag, max_tasks=20) == ["post-tiktok", "reply-mention-eth-001"]
    assert dag.tasks[1].params["mention_id"] == "mention-eth-001"


async def test_llm_planner_accepts_json_in_a_markdown_fence() -> None:
    """specs/technical.md §5.2"""
    fenced = f"Here is the plan:\n```json\n{json.dumps(PLAN)}\n```"
    dag = await LlmPlanner(_model(fenced), "fake").plan(_request())
    assert [t.key for t in dag.tasks] == ["post-tiktok", "reply-mention-eth-001"]


@pytest.mark.parametrize(
    "reply",
    [
        "I would post on TikTok first.",
        json.dumps({"tasks": [{"key": "x", "task_type": "launch_rocket"}]}),
        json.dumps({"tasks": []}),
    ],
    ids=["prose", "unknown-task-type", "empty-plan"],
)
async def test_llm_planner_raises_on_malformed_model_output(reply: str) -> None:
    """specs/technical.md §5.2 (never silently falls back)"""
    with pytest.raises(OutputParserException):
        await LlmPlanner(_model(reply, reply), "fake").plan(_request())


async def test_llm_writer_returns_a_caption_payload_for_the_task_platform() -> None:
    """specs/technical.md §2.3 (payload `{text, platform, hashtags}`), §5.4"""
    draft = {"text": "Slay the summer drop! #AIcreator", "hashtags": ["#EthiopiaFashion"]}
    task = make_task(params={"platform": "instagram"})
    payload = await LlmWriter(_model(json.dumps(draft)), "fake").write(task, persona())
    assert payload == CaptionPayload(
        text=draft["text"], platform="instagram", hashtags=["#EthiopiaFashion"]
    )


async def test_llm_writer_reply_keeps_the_mention_as_reply_to_id() -> None:
    """specs/technical.md §2.3 (a reply adds `reply_to_id`), §2.5"""
    task = make_task(
        task_type="reply_comment", params={"platform": "tiktok", "mention_id": "mention-eth-001"}
    )
    payload = await LlmWriter(_model('{"text": "Thank you! #AIcreator"}'), "fake").write(
        task, persona()
    )
    assert payload.reply_to_id == "mention-eth-001" and payload.hashtags == []


async def test_llm_writer_raises_on_malformed_model_output() -> None:
    """specs/technical.md §5.4 (LLM strategies parse into the contracts)"""
    with pytest.raises(OutputParserException):
        await LlmWriter(_model('{"text": ""}'), "fake").write(make_task(), persona())


async def test_llm_scorer_returns_a_score_with_a_lowercased_risk() -> None:
    """specs/technical.md §5.4 (Scorers: LLM judge with structured output)"""
    judged = {
        "confidence": 0.82,
        "risk_category": "Brand_Safety_Medium",
        "reasons": ["Slightly off-voice."],
        "sensitive_topics": [],
    }
    score = await LlmScorer(_model(json.dumps(judged)), "fake").score(
        make_task(), persona(), CaptionPayload(text="Hi #AIcreator", platform="tiktok"), ""
    )
    assert score == Score(0.82, "brand_safety_medium", ["Slightly off-voice."], [])


async def test_llm_scorer_raises_on_malformed_model_output() -> None:
    """specs/technical.md §5.4 (a scorer failure fails closed in the judge)"""
    with pytest.raises(OutputParserException):
        await LlmScorer(_model("looks fine to me"), "fake").score(
            make_task(), persona(), CaptionPayload(text="Hi", platform="tiktok"), ""
        )


def test_strategy_cache_is_deterministic_without_a_model() -> None:
    """specs/technical.md §5.2 (template planner is the default, no key), §5.10 (`model`)"""
    assert StrategyCache(None).for_model(None) is DETERMINISTIC
    assert DETERMINISTIC.model_name == "deterministic"


def test_strategy_cache_wraps_an_injected_chat_model_once() -> None:
    """specs/technical.md §5.2, §5.4 (LLM strategies when a model is configured)"""
    cache = StrategyCache(None, chat_model=_model())
    first = cache.for_model("fake:model")
    assert isinstance(first.planner, LlmPlanner) and isinstance(first.scorer, LlmScorer)
    assert cache.for_model(None) is first
    assert from_chat_model(_model(), "x").writer.name == "llm-writer:x"
