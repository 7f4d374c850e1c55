"""The LLM strategy path end to end, with a scripted chat model (no model requests in tests)."""

from __future__ import annotations

import json
from dataclasses import replace

from chimera.resources import Services
from chimera.runs.runner import run_campaign
from chimera.runs.threads import compile_graph
from chimera.strategies.registry import StrategyCache
from tests.conftest import ETHIOPIA
from tests.support.chat_fakes import ScriptedChatModel
from tests.support.platform import platform_posts, settle_mentions

PLAN = {
    "rationale": "one post, one reply",
    "tasks": [
        {
            "key": "hero-post",
            "task_type": "publish_post",
            "priority": "high",
            "params": {"platform": "tiktok", "angle": "summer streetwear"},
        },
        {
            "key": "thank-lulit",
            "task_type": "reply_comment",
            "depends_on": ["hero-post"],
            "params": {
                "platform": "tiktok",
                "mention_id": "mention-eth-008",
                "author": "@lulit.shops",
                "mention_text": "Which sizes does the summer drop come in?",
            },
        },
    ],
}


def script(prompt: str) -> str:
    if prompt.startswith("Classify a mention"):
        return json.dumps({"intent": "compliment", "confidence": 0.9})
    if prompt.startswith("You plan"):
        return json.dumps(PLAN)
    if prompt.startswith("You write"):
        return json.dumps(
            {
                "text": "Summer streetwear, woven in Addis. Slay! #AIcreator",
                "hashtags": ["#EthiopiaFashion"],
            }
        )
    return json.dumps(
        {
            "confidence": 0.93,
            "risk_category": "brand_safety_low",
            "reasons": ["On voice and on goal."],
        }
    )


async def test_llm_planner_writer_and_judge_produce_the_same_contracts(svc: Services) -> None:
    """specs/technical.md §5.2, §5.4; specs/engagement.md §2.2"""
    model = ScriptedChatModel(script=script)
    llm = replace(svc, strategies=StrategyCache(None, model))
    others = [f"mention-eth-{i:03d}" for i in range(1, 11) if i not in (8, 10)]
    await settle_mentions(svc, "tenant-xyz", ETHIOPIA, others)
    summary = await run_campaign(
        llm, agent_id=ETHIOPIA, goal="Launch the summer streetwear drop", campaign_id="cmp-llm-path"
    )
    assert summary.state == "done"
    # The model's own reply task gives way to the ledger's replies (specs/engagement.md §1.1).
    keys = {t["key"] for t in summary.tasks}
    assert keys == {"hero-post", "reply-mention-eth-008", "reply-mention-eth-010"}
    posts = await platform_posts(svc, "tenant-xyz", "cmp-llm-path")
    assert [p["text"] for p in posts] == ["Summer streetwear, woven in Addis. Slay! #AIcreator"] * 3
    assert {p["reply_to_id"] for p in posts[1:]} == {"mention-eth-008", "mention-eth-010"}
    state = await compile_graph(llm).aget_state({"configurable": {"thread_id": summary.thread_id}})
    artifact = next(iter(state.values["artifacts"].values()))
    assert artifact.generation_metadata.model.startswith("llm-writer:")
    assert any(p.startswith("You review") for p in model.prompts)


async def test_hard_policy_rules_override_a_confident_llm_judge(svc: Services) -> None:
    """specs/technical.md §2.7, §5.4"""

    def politics(prompt: str) -> str:
        if prompt.startswith("You write"):
            return json.dumps({"text": "Vote in the election, then shop the drop! #AIcreator"})
        return script(prompt)

    llm = replace(svc, strategies=StrategyCache(None, ScriptedChatModel(script=politics)))
    summary = await run_campaign(
        llm,
        agent_id=ETHIOPIA,
        goal="Launch the summer streetwear drop",
        campaign_id="cmp-llm-politics",
    )
    verdicts = {t["key"]: (t["verdict"], t["risk_category"]) for t in summary.tasks}
    assert verdicts["hero-post"] == ("reject", "brand_safety_high")
    assert await platform_posts(svc, "tenant-xyz", "cmp-llm-politics") == []
