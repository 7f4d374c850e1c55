"""A dry run of the judge for policy owners: drafts in, verdicts out, nothing published or saved.

The persona comes from its SOUL.md with the tenant's policy file applied (so a policy change can
be tried before it is committed), the scorer is the one a campaign would use (the LLM judge when
`CHIMERA_MODEL` is set, else the heuristic scorer with the embedding model), and each draft goes
through `strategies.judging.judge_draft`, the judge node's own scoring and rules. No database,
MCP server or memory is touched.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chimera.control.personas import load_persona
from chimera.control.policy import effective_context, effective_persona, load_tenant_policy
from chimera.platform.embeddings import load_embeddings
from chimera.platform.settings import Settings
from chimera.strategies.judging import draft_artifact, draft_task, judge_draft
from chimera.strategies.registry import RoleModels, StrategyCache, options_of
from chimera.strategies.risk import RiskDetector
from state.context import Context
from state.persona import Persona

DEFAULT_GOAL = "Grow the audience with on-brand posts and replies."


class Draft(BaseModel):
    """One draft to judge (a line of a drafts file, or the --text options)."""

    model_config = ConfigDict(extra="ignore")

    id: Annotated[str, Field(min_length=1, max_length=100)] = "draft-1"
    kind: Literal["post", "reply"] = "post"
    text: Annotated[str, Field(min_length=1, max_length=5000)]
    source: Annotated[str, Field(max_length=5000)] = ""
    platform: Annotated[str, Field(pattern=r"^[a-z0-9_]{2,32}$")] | None = None


def read_drafts(path: Path) -> list[Draft]:
    """Blocking: the drafts of a JSON-lines file; any bad line is refused with its number.

    Raises:
        ValueError: the file is missing, empty, or a line is not a valid draft.

    """
    if not path.is_file():
        raise ValueError(f"no drafts file at {path}")
    drafts = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            drafts.append(Draft.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise ValueError(f"{path}:{number}: not a valid draft ({str(exc)[:200]})") from exc
    if not drafts:
        raise ValueError(f"{path} holds no drafts")
    return drafts


def _persona_and_context(settings: Settings, agent_id: str) -> tuple[Persona, Context]:
    persona = load_persona(settings.agents_dir, agent_id)
    policy = load_tenant_policy(settings.policies_dir, persona.tenant_id)
    return effective_persona(persona, policy), effective_context(Context(), policy)


async def dry_run(
    settings: Settings, agent_id: str, goal: str, drafts: list[Draft]
) -> list[dict[str, Any]]:
    """Judge each draft as the agent's campaign judge would; return one verdict dict each.

    Raises:
        ValueError: unknown agent, invalid persona or policy, or a platform the persona lacks.

    """
    persona, ctx = await asyncio.to_thread(_persona_and_context, settings, agent_id)
    detector = RiskDetector(load_embeddings(settings), cache_dir=settings.home / "cache")
    roles, options = RoleModels.from_settings(settings), options_of(settings)
    scorer = StrategyCache(roles, None, options, detector).for_model(None).scorer
    out = []
    for d in drafts:
        platform = d.platform or persona.platforms[0]
        task = draft_task(persona, d.id, d.kind, platform, goal)
        artifact = draft_artifact(task, d.kind, platform, d.text, d.source)
        v = await judge_draft(scorer, detector, task, artifact, persona, ctx)
        out.append(
            {
                "id": d.id,
                "decision": v.decision,
                "confidence": v.confidence,
                "risk_category": v.risk_category,
                "reasons": v.reasons,
                "sensitive_topics": v.sensitive_topics,
            }
        )
    return out
