"""LLM strategies: the same interfaces, backed by a chat model from `init_chat_model`.

Outputs are parsed into the same pydantic models as the deterministic strategies (JSON with
format instructions, which every chat model supports), so the graph cannot tell them apart.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import PydanticOutputParser
from pydantic import BaseModel, Field

from chimera.strategies import prompts
from chimera.strategies.base import PlanRequest, Score
from chimera.strategies.planner import reply_tasks
from chimera.strategies.writer import limit_for
from state.contracts import CaptionPayload, Task, TaskType
from state.persona import Persona
from state.plan import TaskDAG
from state.types import to_utc_z

M = TypeVar("M", bound=BaseModel)


class Draft(BaseModel):
    """A caption or reply written by the model."""

    text: Annotated[str, Field(min_length=1, max_length=5000)]
    hashtags: list[str] = []


class JudgeScore(BaseModel):
    """The model judge's assessment."""

    confidence: float
    risk_category: str = "brand_safety_low"
    reasons: list[str] = []
    sensitive_topics: list[str] = []


async def _ask(model: BaseChatModel, template: str, schema: type[M], **values: object) -> M:
    parser: PydanticOutputParser[M] = PydanticOutputParser(pydantic_object=schema)
    prompt = template.format(format_instructions=parser.get_format_instructions(), **values)
    message = await model.ainvoke(prompt)
    return parser.parse(str(message.content))


class LlmPlanner:
    """Plans with a chat model."""

    def __init__(self, model: BaseChatModel, name: str) -> None:
        self.model, self.name = model, f"llm-planner:{name}"

    async def plan(self, request: PlanRequest) -> TaskDAG:
        """Ask the model for a TaskDAG."""
        p = request.persona
        if request.context.engagement_only:  # replies only: nothing for the model to plan
            replies = reply_tasks(request, None)
            return TaskDAG(rationale=f"{len(replies)} replies for {p.name}", tasks=replies)
        dag = await _ask(
            self.model,
            prompts.PLANNER,
            TaskDAG,
            name=p.name,
            handle=p.handle,
            persona=p.body[:4000],
            goal=request.goal,
            trends=[t.keyword for t in request.trends],
            mentions=[e.mention.model_dump() for e in request.engagements],
            rejections=[r.reason for r in request.rejections],
            platforms=request.targets,
            max_tasks=request.context.max_tasks,
            now=to_utc_z(request.now),
            posting=p.posting.model_dump_json(),
        )
        posts = [t for t in dag.tasks if t.task_type != TaskType.REPLY_COMMENT]
        if request.attempt == 0 and posts:
            posts.extend(reply_tasks(request, posts[0].key))
        return dag.model_copy(update={"tasks": posts})


class LlmWriter:
    """Writes captions and replies with a chat model."""

    def __init__(self, model: BaseChatModel, name: str) -> None:
        self.model, self.name = model, f"llm-writer:{name}"

    async def write(self, task: Task, persona: Persona) -> CaptionPayload:
        """Ask the model for a draft."""
        platform = task.params.get("platform", persona.platforms[0])
        draft = await _ask(
            self.model,
            prompts.WRITER,
            Draft,
            name=persona.name,
            handle=persona.handle,
            voice=persona.voice,
            tone=persona.tone_notes,
            forbidden=persona.forbidden_topics,
            label=persona.disclosure.label,
            platform=platform,
            limit=limit_for(platform),
            task_type=task.task_type,
            goal=task.goal.goal_description,
            angle=task.params.get("angle", ""),
            mention=task.params.get("mention_text", ""),
            intent=task.params.get("intent", ""),
            facts=task.params.get("facts", []),
        )
        return CaptionPayload(
            text=draft.text,
            platform=platform,
            hashtags=draft.hashtags[:30],
            reply_to_id=task.params.get("mention_id"),
        )


class LlmScorer:
    """Scores drafts with a chat model (hard policy rules still apply afterwards)."""

    def __init__(self, model: BaseChatModel, name: str) -> None:
        self.model, self.name = model, f"llm-judge:{name}"

    async def score(
        self, task: Task, persona: Persona, payload: CaptionPayload, source_text: str
    ) -> Score:
        """Ask the model for a score."""
        out = await _ask(
            self.model,
            prompts.JUDGE,
            JudgeScore,
            name=persona.name,
            voice=persona.voice,
            forbidden=persona.forbidden_topics,
            goal=task.goal.goal_description,
            criteria=task.goal.success_criteria,
            platform=payload.platform,
            text=payload.text,
            source=source_text or "-",
        )
        return Score(
            out.confidence, out.risk_category.lower(), out.reasons[:10], out.sensitive_topics[:10]
        )
