"""`chimera judge`: a dry run of the judge from the command line.

specs/judge.md §5
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chimera.cli import app

AGENT = "agent-ethiopia-fashion-001"


@pytest.fixture(autouse=True)
def no_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every service at a closed port: a dry run that touched one would fail."""
    monkeypatch.setenv("CHIMERA_POSTGRES_URI", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("CHIMERA_REDIS_URI", "redis://127.0.0.1:1/0")


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_a_drafts_file_gets_one_json_verdict_per_line_without_any_service(
    tmp_path: Path,
) -> None:
    """specs/judge.md §5"""
    drafts = tmp_path / "drafts.jsonl"
    rows = [
        {"id": "ok", "kind": "post", "text": "Slay! Summer ready in handwoven cotton. "
         "#SummerDrop #AIcreator"},
        {"id": "poll", "kind": "post", "text": "Vote for your favourite look: A or B? "
         "Slay! #SummerDrop #AIcreator"},
        {"id": "pm", "kind": "reply", "text": "@a Thanks! #AIcreator",
         "source": "ጠቅላይ ሚኒስትሩ ስለ ምርጫው ምን አሉ?"},
        {"id": "money", "kind": "reply", "platform": "instagram",
         "text": "Fashion is my lane, please ask a professional. #AIcreator",
         "source": "Should I put my savings into your label?"},
    ]  # fmt: skip
    drafts.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    result = CliRunner().invoke(app, ["judge", "--agent", AGENT, "--file", str(drafts), "--json"])
    assert result.exit_code == 0, result.output
    out = {v["id"]: v for v in _lines(result.output)}
    assert {k: v["decision"] for k, v in out.items()} == {
        "ok": "approve",
        "poll": "approve",
        "pm": "reject",
        "money": "review",
    }
    assert set(out["money"]) == {
        "id",
        "decision",
        "confidence",
        "risk_category",
        "reasons",
        "sensitive_topics",
    }
    assert "finance" in out["money"]["sensitive_topics"]


def test_one_text_with_a_wallet_address_is_rejected() -> None:
    """specs/judge.md §5, §2.1"""
    result = CliRunner().invoke(
        app,
        [
            "judge",
            "--agent",
            AGENT,
            "--kind",
            "reply",
            "--source",
            "How can I support you?",
            "--text",
            "@c Send USDC to 0x52908400098527886E0F7030069857D2E4169EE7 #AIcreator",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    [verdict] = _lines(result.output)
    assert verdict["decision"] == "reject" and verdict["risk_category"] == "payment_high"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agent", AGENT, "--json"], "exactly one of --text or --file"),
        (["--agent", "agent-nobody", "--text", "hi", "--json"], "no persona"),
        (["--agent", AGENT, "--text", "hi", "--kind", "story", "--json"], "kind"),
    ],
)
def test_bad_input_is_one_error_and_exit_2(args: list[str], message: str) -> None:
    """specs/judge.md §5"""
    result = CliRunner().invoke(app, ["judge", *args])
    assert result.exit_code == 2
    assert message in json.loads(result.output)["error"]


def test_a_bad_line_of_a_drafts_file_is_named_by_number(tmp_path: Path) -> None:
    """specs/judge.md §5"""
    drafts = tmp_path / "drafts.jsonl"
    drafts.write_text('{"id": "a", "text": "fine #AIcreator"}\n{"id": "b"}\n', "utf-8")
    result = CliRunner().invoke(app, ["judge", "--agent", AGENT, "--file", str(drafts), "--json"])
    assert result.exit_code == 2
    assert f"{drafts}:2" in json.loads(result.output)["error"]


def test_a_policy_change_is_tried_before_it_is_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """specs/judge.md §5 (tenant policy applied), §2.2 (topics a policy names)"""
    text = "Timket outfit ideas for church this Sunday. Slay! #EthiopiaFashion #AIcreator"
    args = ["judge", "--agent", AGENT, "--text", text, "--json"]
    before = _lines(CliRunner().invoke(app, args).output)[0]
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "tenant-xyz.toml").write_text('forbidden_topics = ["religion"]\n', "utf-8")
    monkeypatch.setenv("CHIMERA_POLICIES_DIR", str(policies))
    after = _lines(CliRunner().invoke(app, args).output)[0]
    assert (before["decision"], after["decision"]) == ("review", "reject")
    assert after["risk_category"] == "brand_safety_high"
