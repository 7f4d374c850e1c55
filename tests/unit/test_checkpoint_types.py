"""The checkpoint allow-list covers every contract class, under its new and its legacy path.

Proves specs/technical.md §5.7: msgpack revives our state classes (the contracts now live in one
module per CONTRACTS section) and nothing else, and checkpoints written when the contracts lived in
`state.contracts` still revive as the same classes.
"""

from __future__ import annotations

import pytest
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from chimera.platform.checkpoint import CHECKPOINT_TYPES, serializer
from state import contracts
from state.contracts import Artifact, Task
from tests.support.builders import make_artifact, make_task

CONTRACT_CLASSES = [
    obj for name in contracts.__all__ if isinstance(obj := getattr(contracts, name), type)
]


def test_every_class_state_contracts_exports_is_allowed_in_checkpoints() -> None:
    """specs/technical.md §5.7 (the allow-list holds every contract class)"""
    assert len(CONTRACT_CLASSES) == 28
    missing = [cls.__name__ for cls in CONTRACT_CLASSES if cls not in CHECKPOINT_TYPES]
    assert missing == []


@pytest.mark.parametrize(
    "value", [make_task(), make_artifact("Addis street style")], ids=["task", "artifact"]
)
def test_a_contract_revives_from_a_checkpoint_as_the_same_model(value: Task | Artifact) -> None:
    """specs/technical.md §5.7 (contracts round-trip through the strict serde)"""
    serde = serializer()
    revived = serde.loads_typed(serde.dumps_typed(value))
    assert type(revived) is type(value)
    assert revived == value


def test_a_checkpoint_naming_the_old_state_contracts_path_still_revives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """specs/technical.md §5.7 (checkpoints written before the contracts split revive)"""
    task = make_task()
    with monkeypatch.context() as patch:
        patch.setattr(Task, "__module__", "state.contracts")
        blob = serializer().dumps_typed(task)
    assert b"state.contracts" in blob[1]
    revived = serializer().loads_typed(blob)
    assert type(revived) is Task
    assert revived == task


def test_a_checkpoint_naming_a_class_outside_the_allow_list_does_not_revive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """specs/technical.md §5.7 (nothing else is revived)"""
    task = make_task()
    with monkeypatch.context() as patch:
        patch.setattr(Task, "__module__", "state.elsewhere")
        blob = JsonPlusSerializer().dumps_typed(task)
    assert type(serializer().loads_typed(blob)) is not Task
