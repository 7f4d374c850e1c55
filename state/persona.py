"""The persona vocabulary: what SOUL.md front matter must declare (constitution rule 4)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from state.contracts import PersonaConstraints
from state.posting import PostingPlan
from state.types import Id, ShortText

Words = Annotated[list[ShortText], Field(max_length=60)]


class DisclosurePolicy(BaseModel):
    """How the persona discloses that it is an AI."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ai_generated: bool = True
    label: ShortText = "#AI"
    sponsor: ShortText | None = None
    """The paying sponsor of the campaign (set by campaign policy); its posts must carry AD_TAG."""


AD_TAG = "#ad"
"""The paid-partnership disclosure a sponsored post carries (`compliance_tags: ["ad"]`)."""


class Persona(BaseModel):
    """A persona parsed from `agents/<agent_id>/SOUL.md` (front matter + markdown body)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agent_id: Id
    tenant_id: Id
    name: ShortText
    handle: ShortText
    niche: Words
    region: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,40}$")]
    topics: Annotated[
        list[Annotated[str, Field(pattern=r"^[a-z0-9-]{2,40}$")]], Field(min_length=1)
    ]
    platforms: Annotated[
        list[Annotated[str, Field(pattern=r"^[a-z0-9_]{2,32}$")]], Field(min_length=1)
    ]
    character_reference_id: Id
    voice: Words
    voice_words: Words = []
    forbidden_topics: Words = []
    sensitive_topics: Words = []
    tone_notes: Annotated[str, Field(max_length=1000)] = ""
    hashtags: Words = []
    call_to_action: Annotated[str, Field(max_length=300)] = ""
    disclosure: DisclosurePolicy = DisclosurePolicy()
    palette: Words = []
    posting: PostingPlan = PostingPlan()
    """When and how often the agent publishes (windows, quiet hours, cadence)."""
    body: Annotated[str, Field(max_length=20_000)] = ""
    """The markdown body: backstory, voice, values, directives."""
    knowledge: Annotated[list[Annotated[str, Field(max_length=1000)]], Field(max_length=100)] = []
    """Facts the agent may state when answering (the bullets of SOUL.md's `## Knowledge`)."""

    @property
    def constraints(self) -> PersonaConstraints:
        """The persona as the `persona_constraints` of a Task."""
        return PersonaConstraints(
            voice=self.voice, forbidden_topics=self.forbidden_topics, tone_notes=self.tone_notes
        )

    @property
    def news_resources(self) -> list[str]:
        """The news resource URIs of this persona's niche."""
        return [f"news://{self.region}/{topic}/trends" for topic in self.topics]
