"""Persona loading: `agents/<agent_id>/SOUL.md` is the persona's single source of truth."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from state.persona import Persona

_FRONT = re.compile(r"^---\s*\n(?P<meta>.*?)\n---\s*\n(?P<body>.*)$", re.S)
_AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_KNOWLEDGE = re.compile(r"^## Knowledge[ \t]*\n(?P<section>.*?)(?=^## |\Z)", re.S | re.M)
_BULLET = re.compile(r"^\s*[-*]\s+(?P<fact>.+)$", re.M)


class PersonaError(ValueError):
    """A persona is missing or its SOUL.md is malformed."""


def soul_path(agents_dir: Path, agent_id: str) -> Path:
    """Path of an agent's SOUL.md (the id is validated, so it cannot escape the folder)."""
    if not _AGENT_ID.fullmatch(agent_id):
        raise PersonaError(f"invalid agent id {agent_id!r}")
    return agents_dir / agent_id / "SOUL.md"


def knowledge_of(body: str) -> list[str]:
    """The bullets of the body's `## Knowledge` section (markdown emphasis removed)."""
    section = _KNOWLEDGE.search(body)
    if section is None:
        return []
    return [b["fact"].replace("**", "").strip() for b in _BULLET.finditer(section["section"])]


def parse_soul(text: str, *, source: str = "SOUL.md") -> Persona:
    """Parse SOUL.md text: YAML front matter between `---` lines, then the markdown body."""
    match = _FRONT.match(text)
    if match is None:
        raise PersonaError(f"{source}: missing YAML front matter between '---' lines")
    try:
        meta = yaml.safe_load(match["meta"]) or {}
        if not isinstance(meta, dict):
            raise PersonaError(f"{source}: front matter must be a mapping of keys to values")
        body = match["body"].strip()
        return Persona.model_validate({**meta, "body": body, "knowledge": knowledge_of(body)})
    except (yaml.YAMLError, ValidationError) as exc:
        raise PersonaError(f"{source}: {exc}") from exc


def load_persona(agents_dir: Path, agent_id: str) -> Persona:
    """Load and validate one agent's persona; its `agent_id` must match the folder."""
    path = soul_path(agents_dir, agent_id)
    if not path.is_file():
        raise PersonaError(f"no persona for agent {agent_id!r} (expected {path})")
    persona = parse_soul(path.read_text(encoding="utf-8"), source=str(path))
    if persona.agent_id != agent_id:
        raise PersonaError(f"{path}: agent_id {persona.agent_id!r} does not match folder")
    return persona


async def tenant_persona(agents_dir: Path, tenant_id: str, agent_id: str) -> Persona:
    """The agent's persona (read off the event loop) if it belongs to `tenant_id`.

    Raises:
        PersonaError: the agent is unknown, invalid, or another tenant's (the message never says
            which, so an agent id of another tenant is indistinguishable from an unknown one).

    """
    persona = await asyncio.to_thread(load_persona, agents_dir, agent_id)
    if persona.tenant_id != tenant_id:
        raise PersonaError(f"agent {agent_id!r} not found for tenant {tenant_id!r}")
    return persona


def list_personas(agents_dir: Path) -> tuple[list[Persona], list[PersonaError]]:
    """Every valid persona under `agents_dir` (sorted by agent id), and the errors of the rest.

    One malformed SOUL.md must not stop the other agents; its error surfaces when it is used.
    """
    personas, errors = [], []
    for path in sorted(agents_dir.glob("*/SOUL.md")):
        try:
            personas.append(load_persona(agents_dir, path.parent.name))
        except PersonaError as exc:
            errors.append(exc)
    return personas, errors
