"""SOUL.md persona parsing and loading (specs/functional.md §1.1-§1.3; specs/_meta.md §2.4)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chimera.control.personas import (
    PersonaError,
    list_personas,
    load_persona,
    parse_soul,
    soul_path,
)
from tests.support.builders import AGENTS, ETHIOPIA, LAGOS

SOUL = (AGENTS / ETHIOPIA / "SOUL.md").read_text(encoding="utf-8")


def _soul(front: str, body: str = "# Body\n\nText.") -> str:
    return f"---\n{front}\n---\n{body}\n"


def test_parse_soul_reads_the_ethiopia_sample_agent() -> None:
    """specs/functional.md §1.1 (front matter + markdown body)"""
    p = parse_soul(SOUL)
    assert (p.agent_id, p.tenant_id, p.name) == (ETHIOPIA, "tenant-xyz", "Selam")
    assert p.platforms == ["tiktok", "instagram"]
    assert p.forbidden_topics == ["politics", "explicit content"]
    assert p.sensitive_topics == ["finance", "health"]
    assert p.disclosure.ai_generated is True and p.disclosure.label == "#AIcreator"
    assert p.body.startswith("# Selam") and "## Directives" in p.body
    assert "agent_id:" not in p.body


def test_parse_soul_reads_the_lagos_sample_agent() -> None:
    """specs/functional.md §1.1"""
    p = parse_soul((AGENTS / LAGOS / "SOUL.md").read_text(encoding="utf-8"))
    assert (p.agent_id, p.tenant_id) == (LAGOS, "tenant-abc")
    assert p.platforms == ["twitter", "instagram"]
    assert "gambling" in p.forbidden_topics and "crypto" in p.sensitive_topics


def test_persona_exposes_task_constraints_and_niche_news_resources() -> None:
    """specs/functional.md §1.2; specs/technical.md §2.2 (`persona_constraints`)"""
    p = load_persona(AGENTS, ETHIOPIA)
    assert p.constraints.model_dump() == {
        "voice": ["witty", "aspirational"],
        "forbidden_topics": ["politics", "explicit content"],
        "tone_notes": "Highlight local designers and sustainable fabrics.",
    }
    assert p.news_resources == ["news://ethiopia/fashion/trends"]


def test_list_personas_returns_every_sample_agent_sorted() -> None:
    """specs/functional.md §1.1"""
    personas, errors = list_personas(AGENTS)
    assert [p.agent_id for p in personas] == [ETHIOPIA, LAGOS]
    assert errors == []


def test_a_malformed_soul_md_is_reported_without_hiding_the_other_agents(tmp_path: Path) -> None:
    """specs/functional.md §1"""
    for agent in (ETHIOPIA, "agent-broken-003"):
        (tmp_path / agent).mkdir()
    (tmp_path / ETHIOPIA / "SOUL.md").write_text((AGENTS / ETHIOPIA / "SOUL.md").read_text())
    (tmp_path / "agent-broken-003" / "SOUL.md").write_text("no front matter here")
    personas, errors = list_personas(tmp_path)
    assert [p.agent_id for p in personas] == [ETHIOPIA]
    assert len(errors) == 1 and "agent-broken-003" in str(errors[0])


def test_missing_front_matter_is_a_persona_error_naming_the_file() -> None:
    """specs/functional.md §1.1 (malformed front matter stops the run, naming the file)"""
    with pytest.raises(PersonaError, match=r"agents/x/SOUL\.md.*front matter"):
        parse_soul("# Selam\n\nNo front matter here.", source="agents/x/SOUL.md")


def test_unclosed_front_matter_is_a_persona_error() -> None:
    """specs/functional.md §1.1"""
    with pytest.raises(PersonaError):
        parse_soul("---\nagent_id: a\nname: b\n# never closed")


def test_bad_yaml_is_a_persona_error() -> None:
    """specs/functional.md §1.1 (malformed front matter)"""
    bad = SOUL.replace("voice: [witty, aspirational]", "voice: [witty, aspirational")
    with pytest.raises(PersonaError, match=r"SOUL\.md"):
        parse_soul(bad)


def test_unknown_front_matter_key_is_a_persona_error_naming_it() -> None:
    """specs/functional.md §1.1 (the front matter vocabulary); specs/technical.md §2"""
    bad = SOUL.replace("name: Selam\n", "name: Selam\nfavourite_colour: green\n")
    with pytest.raises(PersonaError, match="favourite_colour"):
        parse_soul(bad)


@pytest.mark.parametrize("field", ["agent_id", "tenant_id", "name", "voice"])
def test_missing_required_field_is_a_persona_error_naming_file_and_field(field: str) -> None:
    """specs/functional.md §1.1 (an error naming the file and the field)"""
    lines = [ln for ln in SOUL.splitlines(keepends=True) if not ln.startswith(f"{field}:")]
    with pytest.raises(PersonaError) as exc:
        parse_soul("".join(lines), source="agents/x/SOUL.md")
    assert "agents/x/SOUL.md" in str(exc.value) and field in str(exc.value)


def test_invalid_field_value_is_a_persona_error() -> None:
    """specs/functional.md §1.1; specs/technical.md §2.1 (Ids)"""
    with pytest.raises(PersonaError, match="agent_id"):
        parse_soul(SOUL.replace(f"agent_id: {ETHIOPIA}", "agent_id: 'bad id with spaces'"))


def test_agent_id_must_match_the_folder_name(tmp_path: Path) -> None:
    """specs/functional.md §1.1 (`agent_id` must match the folder name)"""
    folder = tmp_path / "agent-impostor-003"
    folder.mkdir()
    shutil.copy(AGENTS / ETHIOPIA / "SOUL.md", folder / "SOUL.md")
    with pytest.raises(PersonaError, match="does not match folder"):
        load_persona(tmp_path, "agent-impostor-003")


def test_missing_soul_file_is_a_persona_error(tmp_path: Path) -> None:
    """specs/functional.md §1.1 (a missing file stops the run)"""
    with pytest.raises(PersonaError, match="no persona for agent"):
        load_persona(tmp_path, "agent-nobody-000")


@pytest.mark.parametrize(
    "agent_id", ["../etc", "..", "../../etc/passwd", "a/b", "/etc", "", ".hidden", "a\\b", "a b"]
)
def test_path_traversal_and_malformed_agent_ids_are_persona_errors(agent_id: str) -> None:
    """specs/functional.md §1.1 (`agents/<agent_id>/SOUL.md`); specs/technical.md §2.1 (Ids)"""
    with pytest.raises(PersonaError, match="invalid agent id"):
        soul_path(AGENTS, agent_id)
    with pytest.raises(PersonaError):
        load_persona(AGENTS, agent_id)


def test_soul_path_stays_inside_the_agents_folder() -> None:
    """specs/functional.md §1.1"""
    assert soul_path(AGENTS, ETHIOPIA) == AGENTS / ETHIOPIA / "SOUL.md"


def test_agent_id_with_a_trailing_newline_is_rejected() -> None:
    """specs/technical.md §2.1 (Ids match the id pattern)"""
    with pytest.raises(PersonaError):
        soul_path(AGENTS, f"{ETHIOPIA}\n")


@pytest.mark.parametrize("front", ["- agent_id\n- name", "just a sentence", "42"])
def test_front_matter_that_is_not_a_mapping_is_a_persona_error(front: str) -> None:
    """specs/functional.md §1.1 (malformed front matter stops the run, naming the file)"""
    with pytest.raises(PersonaError, match=r"SOUL\.md"):
        parse_soul(_soul(front))
