"""The type of a node: what the graph calls, with the state it reads and the update it returns.

Every node factory returns a `Node[StateT, UpdateT]`: an async callable taking its state (the
campaign state, or one task's `Envelope` for a Send) and the run's `Runtime[Context]`. A node
that routes returns `Command[Literal[...]]` naming exactly the nodes it can go to; the graph's
`destinations=` must list the same names (tests/integration/test_graph_contracts.py).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol, TypeVar

from langgraph.runtime import Runtime

from state.context import Context

StateT = TypeVar("StateT", contravariant=True)
UpdateT = TypeVar("UpdateT", covariant=True)


class Node(Protocol[StateT, UpdateT]):
    """An async node with its Runtime (LangGraph injects `runtime` by name)."""

    def __call__(self, state: StateT, *, runtime: Runtime[Context]) -> Awaitable[UpdateT]:
        """Run the node on `state`."""
        ...


class NoThread(RuntimeError):
    """A node that records its thread ran without one (compile with a checkpointer)."""


def thread_of(runtime: Runtime[Context]) -> str:
    """The id of the thread this node runs in."""
    thread_id = runtime.execution_info.thread_id if runtime.execution_info else None
    if not thread_id:
        raise NoThread("this node needs a thread: run the graph with a `thread_id`")
    return str(thread_id)
