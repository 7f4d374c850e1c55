"""Intent first: what a mention asks or says, before anything is written back.

Rules catch what must never depend on a model (injection, spam, forbidden and sensitive topics,
a question about a product aspect); the packaged embedding model places the rest by cosine to a
few labelled prototypes (compliment, complaint, question, other). With a chat model configured,
the model classifies instead (JSON into `IntentVerdict`), and the same hard rules still win.
Embedding inference is CPU-bound, so it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import re
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import PydanticOutputParser

from chimera.strategies import prompts
from chimera.strategies.topics import SENSITIVE_DEFAULT, looks_like_injection, topics_in
from state.engagement import Intent, IntentVerdict
from state.persona import Persona

ASPECTS: dict[str, tuple[str, ...]] = {
    "sizes": ("size", "sizes", "sizing", "fit", "xs", "xl", "xxl", "measure", "tailored"),
    "where to buy": ("buy", "where", "shop", "stockist", "dealer", "dealers", "sold at"),
    "availability": ("restock", "restocks", "sold out", "in stock", "available", "availability"),
    "shipping": ("ship", "shipping", "deliver", "delivers", "delivery", "courier"),
    "price": ("price", "prices", "cost", "how much", "naira", "birr", "expensive", "cheap"),
    "materials": ("material", "materials", "fabric", "cotton", "made of", "made from"),
    "battery": ("battery", "batteries", "charge", "charging", "hours"),
    "coverage": ("5g", "coverage", "network", "signal"),
}
"""Product aspects a question can ask about, and the words that name each one."""

_QUESTION = re.compile(
    r"\?|^\s*(what|where|which|when|how|is|are|do|does|can|could|should|any)\b", re.I
)
_SPAM = re.compile(
    r"\b(airdrop|giveaway|free followers|follow back|f4f|dm me|click (the )?link|promo code"
    r"|earn \$?\d+|whatsapp me)\b|0x[0-9a-fA-F]{40}|https?://\S+",
    re.I,
)
_NEGATIVE = re.compile(
    r"\b(refund|broken|broke|stuck|never arrived|disappointed|disappointing|worst|terrible"
    r"|scam|not working|stopped working|useless|waste of money|rip-?off)\b",
    re.I,
)
_POSITIVE = re.compile(
    r"\b(thanks|thank you|love|loving|gorgeous|great|amazing|spot on|so happy|favou?rite"
    r"|honest|elegant|is everything|beautiful|no wahala|survived|iconic|slay)\b",
    re.I,
)
PROTOTYPES: dict[Intent, tuple[str, ...]] = {
    Intent.COMPLIMENT: (
        "I love this, it looks amazing, great work!",
        "Your reviews are so honest and helpful, thank you.",
        "This outfit is gorgeous, pure style.",
        "So happy to see this, beautiful and inspiring.",
    ),
    Intent.COMPLAINT: (
        "My order never arrived and nobody answers, this is terrible.",
        "It broke after two days, I want a refund.",
        "This app is down and my money is stuck, so frustrating.",
        "Very disappointed with the quality, it is fake.",
    ),
    Intent.PRODUCT_QUESTION: (
        "Which one should I buy and where can I get it?",
        "Is the new model worth it over the old one?",
        "What sizes and colours does it come in?",
    ),
    Intent.OTHER: (
        "Good morning everyone, the weather is nice today.",
        "Anyone watching the football match tonight?",
    ),
}


def aspects_of(text: str) -> list[str]:
    """The product aspects `text` names, in `ASPECTS` order."""
    lowered = text.lower()
    return [
        name
        for name, words in ASPECTS.items()
        if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words)
    ]


def rule_intent(text: str, persona: Persona) -> IntentVerdict | None:
    """The intent the hard rules fix, or None when they leave it to a classifier."""
    if looks_like_injection(text):
        return IntentVerdict(intent=Intent.INJECTION)
    if _SPAM.search(text):
        return IntentVerdict(intent=Intent.SPAM)
    if forbidden := topics_in(text, persona.forbidden_topics):
        return IntentVerdict(intent=Intent.FORBIDDEN, topic=forbidden[0])
    sensitive_names = [*SENSITIVE_DEFAULT, *persona.sensitive_topics]
    if sensitive := topics_in(text, list(dict.fromkeys(sensitive_names))):
        return IntentVerdict(intent=Intent.SENSITIVE, topic=sensitive[0])
    if _QUESTION.search(text) and (aspects := aspects_of(text)):
        return IntentVerdict(intent=Intent.PRODUCT_QUESTION, topic=", ".join(aspects))
    if _NEGATIVE.search(text):
        return IntentVerdict(intent=Intent.COMPLAINT)
    if _POSITIVE.search(text) and "?" not in text:
        return IntentVerdict(intent=Intent.COMPLIMENT)
    return None


class IntentClassifier(Protocol):
    """Mention text + persona -> intent."""

    name: str

    async def classify(self, text: str, persona: Persona) -> IntentVerdict:
        """Classify one mention (untrusted text)."""
        ...


class EmbeddingIntents:
    """Rules, then the nearest labelled prototype by cosine (the offline default)."""

    name = "embedding-intents-v1"

    def __init__(self, embeddings: Embeddings) -> None:
        self._embeddings = embeddings
        self._labels: list[Intent] = []
        self._matrix: np.ndarray | None = None
        self._lock = asyncio.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self._embeddings.embed_documents(texts), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)

    async def _prototypes(self) -> np.ndarray:
        async with self._lock:
            if self._matrix is None:
                pairs = [(i, t) for i, texts in PROTOTYPES.items() for t in texts]
                self._matrix = await asyncio.to_thread(self._encode, [t for _, t in pairs])
                self._labels = [i for i, _ in pairs]
            return self._matrix

    async def classify(self, text: str, persona: Persona) -> IntentVerdict:
        """Rules first; otherwise the intent of the most similar prototype."""
        if (fixed := rule_intent(text, persona)) is not None:
            return fixed
        matrix = await self._prototypes()
        vector = (await asyncio.to_thread(self._encode, [text]))[0]
        sims = matrix @ vector
        if not _QUESTION.search(text):  # a statement is never answered as a product question
            sims = np.where([i == Intent.PRODUCT_QUESTION for i in self._labels], -1.0, sims)
        best = int(np.argmax(sims))
        intent = self._labels[best]
        topic = ", ".join(aspects_of(text)) if intent == Intent.PRODUCT_QUESTION else ""
        confidence = float(min(max(sims[best], 0.0), 1.0))
        return IntentVerdict(intent=intent, confidence=confidence, topic=topic)


class LlmIntents:
    """Rules, then a chat model's structured verdict (JSON parsed into `IntentVerdict`)."""

    def __init__(self, model: BaseChatModel, name: str) -> None:
        self.model, self.name = model, f"llm-intents:{name}"

    async def classify(self, text: str, persona: Persona) -> IntentVerdict:
        """Rules first; otherwise ask the model."""
        if (fixed := rule_intent(text, persona)) is not None:
            return fixed
        parser: PydanticOutputParser[IntentVerdict] = PydanticOutputParser(
            pydantic_object=IntentVerdict
        )
        prompt = prompts.INTENT.render(
            format_instructions=parser.get_format_instructions(),
            name=persona.name,
            niche=persona.niche,
            intents=[i.value for i in Intent],
            data_rule=prompts.DATA_RULE,
            mention=prompts.fence(text[:2000]),
        )
        message = await self.model.ainvoke(prompt)
        return parser.parse(str(message.content))
