"""LLM strategies: the same interfaces, backed by a chat model from `init_chat_model`.

Outputs are parsed into the same pydantic models as the deterministic strategies, so the graph
cannot tell them apart: through the integration's structured output (OpenAI JSON schema,
Anthropic tool use, Ollama `format`) when it has one, else JSON format instructions. Refusals
and invalid answers raise `OutputParserException`; the caller fails the step closed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar, cast

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import PydanticOutputParser
from pydantic import BaseModel, Field

from chimera.strategies import prompts
from chimera.strategies.base import PlanRequest, Score
from chimera.strategies.planner import reply_tasks
from chimera.strategies.prompts import fence
from chimera.strategies.usage import record_call
from chimera.strategies.writer import limit_for
from state.contracts import CaptionPayload, Task, TaskType
from state.memory import MemoryContext
from state.persona import Persona
from state.plan import TaskDAG
from state.types import to_utc_z

M = TypeVar("M", bound=BaseModel)
StructuredMethod = Literal["auto", "json_schema", "function_calling", "json_mode", "prompt"]


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


def _native_structured(model: BaseChatModel) -> bool:
    """Whether the integration implements tool calling (and so structured output)."""
    return type(model).bind_tools is not BaseChatModel.bind_tools


def _refusal(raw: BaseMessage) -> str:
    """The provider's refusal, if the message is one (OpenAI `refusal`, Anthropic stop reason)."""
    refusal = raw.additional_kwargs.get("refusal")
    if refusal:
        return str(refusal)
    if raw.response_metadata.get("stop_reason") == "refusal":
        return str(raw.content)[:300] or "stop_reason=refusal"
    return ""


async def ask(
    model: BaseChatModel,
    prompt: prompts.Prompt,
    schema: type[M],
    method: StructuredMethod = "auto",
    **values: object,
) -> M:
    """Render a prompt, call the model, and return its answer as `schema`.

    Integrations with structured output get the schema natively (`method`: the integration's
    default with `auto`, or `json_schema`, `function_calling`, `json_mode`); others, or
    `prompt`, get JSON format instructions. The call's token usage goes to the open meter.

    Raises:
        OutputParserException: a refusal, no answer, or an answer that is not a valid `schema`.

    """
    name = getattr(model, "model_name", None) or getattr(model, "model", None) or "model"
    values = {"data_rule": prompts.DATA_RULE, **values}
    if method == "prompt" or not _native_structured(model):
        parser: PydanticOutputParser[M] = PydanticOutputParser(pydantic_object=schema)
        text = prompt.render(format_instructions=parser.get_format_instructions(), **values)
        message = await model.ainvoke(text)
        record_call(
            prompt.role, str(name), prompt.version, getattr(message, "usage_metadata", None)
        )
        return parser.parse(str(message.content))
    text = prompt.render(format_instructions="", **values)
    kwargs = {} if method == "auto" else {"method": method}
    out = cast(
        dict[str, Any],
        await model.with_structured_output(schema, include_raw=True, **kwargs).ainvoke(text),
    )
    raw: AIMessage = out["raw"]
    record_call(prompt.role, str(name), prompt.version, raw.usage_metadata)
    if refusal := _refusal(raw):
        raise OutputParserException(f"model refused: {refusal}")
    if out.get("parsing_error") is not None or not isinstance(out.get("parsed"), schema):
        error = out.get("parsing_error") or "no structured answer"
        raise OutputParserException(f"model answer is not a valid {schema.__name__}: {error}")
    return cast(M, out["parsed"])


def _memory(memory: MemoryContext | None, limit: int = 5) -> str:
    """What the agent remembers, as fenced data (memories hold earlier posts and mentions)."""
    if memory is None:
        return "nothing yet"
    texts = [text[:280] for _, text in memory.recent_texts()[:limit]]
    return fence(texts) if texts else "nothing yet"


class LlmPlanner:
    """Plans with a chat model."""

    def __init__(self, model: BaseChatModel, name: str, method: StructuredMethod = "auto") -> None:
        self.model, self.name = model, f"llm-planner:{name}"
        self.prompt_version = prompts.PLANNER.version
        self.method = method

    async def plan(self, request: PlanRequest) -> TaskDAG:
        """Ask the model for a TaskDAG."""
        p = request.persona
        if request.context.engagement_only:  # replies only: nothing for the model to plan
            replies = reply_tasks(request, None)
            return TaskDAG(rationale=f"{len(replies)} replies for {p.name}", tasks=replies)
        mentions = [e.mention.model_dump() for e in request.engagements]
        dag = await ask(
            self.model,
            prompts.PLANNER,
            TaskDAG,
            self.method,
            name=p.name,
            handle=p.handle,
            persona=p.body[:4000],
            forbidden=p.forbidden_topics,
            sensitive=p.sensitive_topics,
            goal=request.goal,
            memory=_memory(request.memory),
            trends=[t.keyword for t in request.trends],
            mentions=fence(mentions) if mentions else "none",
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

    def __init__(self, model: BaseChatModel, name: str, method: StructuredMethod = "auto") -> None:
        self.model, self.name = model, f"llm-writer:{name}"
        self.prompt_version = prompts.WRITER.version
        self.method = method

    async def write(
        self, task: Task, persona: Persona, memory: MemoryContext | None = None
    ) -> CaptionPayload:
        """Ask the model for a draft."""
        platform = task.params.get("platform", persona.platforms[0])
        mention = task.params.get("mention_text", "")
        draft = await ask(
            self.model,
            prompts.WRITER,
            Draft,
            self.method,
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
            memory=_memory(memory),
            mention=fence(mention) if mention else "none",
            intent=task.params.get("intent", ""),
            facts=task.params.get("facts", "") or "none",
        )
        return CaptionPayload(
            text=draft.text,
            platform=platform,
            hashtags=draft.hashtags[:30],
            reply_to_id=task.params.get("mention_id"),
        )


class LlmScorer:
    """Scores drafts with a chat model (hard policy rules still apply afterwards)."""

    def __init__(self, model: BaseChatModel, name: str, method: StructuredMethod = "auto") -> None:
        self.model, self.name = model, f"llm-judge:{name}"
        self.prompt_version = prompts.JUDGE.version
        self.method = method

    async def score(
        self, task: Task, persona: Persona, payload: CaptionPayload, source_text: str
    ) -> Score:
        """Ask the model for a score."""
        out = await ask(
            self.model,
            prompts.JUDGE,
            JudgeScore,
            self.method,
            name=persona.name,
            voice=persona.voice,
            forbidden=persona.forbidden_topics,
            sensitive=persona.sensitive_topics,
            goal=task.goal.goal_description,
            criteria=task.goal.success_criteria,
            platform=payload.platform,
            text=fence(payload.text),
            source=fence(source_text) if source_text else "none",
        )
        return Score(
            out.confidence, out.risk_category.lower(), out.reasons[:10], out.sensitive_topics[:10]
        )
