"""Targeting: which platforms a campaign publishes on.

An explicit override (`chimera run --platform`) wins; else a goal that names platforms ("on
TikTok") targets only those; else the persona's platforms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from state.plan import TaskDAG

# Names a goal may use, by the platform id they mean. "X" alone is too ambiguous in prose, so only
# "on X" / "X (Twitter)"-style phrasings with the word Twitter count for the X platform.
_NAMES: dict[str, str] = {
    "tiktok": "tiktok",
    "tik tok": "tiktok",
    "instagram": "instagram",
    "insta": "instagram",
    "twitter": "twitter",
    "youtube": "youtube",
    "linkedin": "linkedin",
}
_WORDS = re.compile(r"\b(" + "|".join(re.escape(n) for n in _NAMES) + r")\b", re.I)


def named_platforms(goal: str) -> list[str]:
    """The platforms a goal names, in order of first mention."""
    found: list[str] = []
    for match in _WORDS.finditer(goal):
        platform = _NAMES[match[1].lower()]
        if platform not in found:
            found.append(platform)
    return found


def target_platforms(
    goal: str, persona_platforms: Sequence[str], override: Sequence[str]
) -> list[str]:
    """The platforms this campaign publishes on.

    Args:
        goal: The campaign goal in plain words.
        persona_platforms: The persona's platforms (SOUL.md).
        override: Platforms forced by the operator (empty: none).

    Returns:
        The override, else the platforms the goal names, else the persona's platforms.

    """
    if override:
        return list(dict.fromkeys(override))
    return named_platforms(goal) or list(persona_platforms)


def restrict(dag: TaskDAG, platforms: Sequence[str]) -> TaskDAG:
    """Drop publishing tasks on platforms outside `platforms` (an LLM planner may stray).

    Dependencies on dropped tasks are removed, so the DAG stays valid.

    Args:
        dag: The planner's DAG.
        platforms: The targeted platforms (empty: no restriction).

    Returns:
        The DAG without off-target posts and replies (unchanged when nothing strays).

    """
    if not platforms:
        return dag
    dropped = {
        t.key for t in dag.tasks if "platform" in t.params and t.params["platform"] not in platforms
    }
    if not dropped or len(dropped) == len(dag.tasks):
        return dag
    kept = [
        t.model_copy(update={"depends_on": [d for d in t.depends_on if d not in dropped]})
        for t in dag.tasks
        if t.key not in dropped
    ]
    return dag.model_copy(update={"tasks": kept})
