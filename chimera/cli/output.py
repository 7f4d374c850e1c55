"""Rendering for the CLI: Rich tables for people, `--json` for programs, one error format."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from chimera.cli.failures import EXIT_SIGINT, EXIT_SIGTERM, classify
from chimera.control.summaries import RunSummary

console = Console()
err_console = Console(stderr=True)


def emit_json(data: Any) -> None:
    """Print machine-readable output."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def fail(
    message: str, *, as_json: bool, code: int = 2, extra: dict[str, Any] | None = None
) -> NoReturn:
    """Report an error clearly and exit non-zero (`extra` only goes into the JSON form)."""
    if as_json:
        emit_json({"error": message, **(extra or {})})
    else:
        err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def explain(exc: BaseException) -> str:
    """A one-paragraph human explanation of an exception."""
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors()]
        return "invalid input: " + "; ".join(parts)
    return str(exc) or exc.__class__.__name__


def run_async(
    coro_fn: Callable[[], Coroutine[Any, Any, Any]],
    *,
    as_json: bool,
    expected: tuple[type[BaseException], ...],
    on_stop: str = "",
) -> Any:
    """Run a command's coroutine; expected errors become clear messages, not tracebacks.

    With `on_stop`, SIGTERM and SIGINT cancel the command cleanly (every `finally` runs, so
    leases are released and finished steps are already checkpointed), `on_stop` is printed and
    the exit code is 143 / 130.
    """
    stopped: list[signal.Signals] = []
    try:
        return asyncio.run(_stoppable(coro_fn, stopped if on_stop else None))
    except expected as exc:
        fail(explain(exc), as_json=as_json)
    except asyncio.CancelledError:
        if not stopped:
            raise
        code = EXIT_SIGTERM if stopped[0] == signal.SIGTERM else EXIT_SIGINT
        fail(
            f"stopped by {stopped[0].name}; {on_stop}",
            as_json=as_json,
            code=code,
            extra={"code": code, "kind": "stopped"},
        )
    except Exception as exc:
        failure = classify(exc)
        if failure is None:
            raise
        extra = {"code": failure.code, "kind": failure.kind, "hint": failure.hint}
        fail(failure.line(), as_json=as_json, code=failure.code, extra=extra)


async def _stoppable(
    coro_fn: Callable[[], Coroutine[Any, Any, Any]], stopped: list[signal.Signals] | None
) -> Any:
    """Run the command; with `stopped`, the first SIGTERM/SIGINT cancels it (a second kills)."""
    if stopped is None:
        return await coro_fn()
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None

    def on_signal(sig: signal.Signals) -> None:
        stopped.append(sig)
        for each in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(each)
        task.cancel()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    return await coro_fn()


def print_summary(summary: RunSummary) -> None:
    """The end-of-run summary."""
    state_style = {"done": "green", "paused": "yellow"}.get(summary.state, "red")
    console.rule(f"[bold]Campaign {summary.campaign_id}[/] — [{state_style}]{summary.state}[/]")
    if summary.reason:
        console.print(f"[red]{summary.state}:[/] {summary.reason}")
    if summary.note:
        console.print(f"[dim]{summary.note}[/]")
    for warning in summary.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", markup=True, highlight=False)
    tasks = Table(title="Tasks")
    for column in ("task", "status", "verdict", "conf", "risk"):
        tasks.add_column(column, overflow="fold")
    for t in summary.tasks:
        conf = "" if t["confidence"] is None else f"{t['confidence']:.2f}"
        tasks.add_row(
            t["key"] or t["task_id"],
            t["status"],
            t["verdict"] or "",
            conf,
            t["risk_category"] or "",
        )
    console.print(tasks)
    posts = Table(title=f"Published ({len(summary.published)})")
    for column in ("post", "platform", "text"):
        posts.add_column(column, overflow="fold")
    for p in summary.published:
        posts.add_row(p["post_id"], p["platform"], p["text"])
    console.print(posts)
    print_reviews(
        summary.pending_reviews, title=f"Waiting for review ({len(summary.pending_reviews)})"
    )
    for r in summary.rejected:
        why = r.get("reason") or "; ".join(r["reasons"] or [])
        console.print(f"[red]{r['status']}[/] {r['key']}: {why}")
    if summary.pending_reviews:
        first = summary.pending_reviews[0]["review_id"]
        console.print(
            f"Approve with: [bold]chimera review approve {first} --tenant {summary.tenant_id}[/]"
        )


def print_reviews(rows: list[dict[str, Any]], *, title: str) -> None:
    """A table of review items."""
    table = Table(title=title)
    for column in ("review", "risk", "conf", "expires (UTC)", "text"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r["review_id"],
            r["risk_category"],
            f"{float(r['confidence']):.2f}",
            str(r["expires_at"])[:16],
            r["text"],
        )
    console.print(table)


def describe_event(node: str, update: dict[str, Any]) -> str | None:
    """A one-line progress message for a node update, or None to stay quiet."""
    if node == "load_context":
        return (
            f"loaded persona, {len(update.get('trends', []))} trends, "
            f"{len(update.get('mentions', []))} mentions"
        )
    if node == "plan":
        return f"planned {len(update.get('tasks', {}))} tasks"
    if node == "judge":
        verdicts = update.get("verdicts", {})
        return (
            " ".join(
                f"judged {v.task_id}: {v.decision} ({v.confidence:.2f})" for v in verdicts.values()
            )
            or None
        )
    if node == "commit":
        return (
            " ".join(
                f"published {p.platform} {p.external_id}" + (" (reused)" if p.reused else "")
                for p in update.get("published", {}).values()
            )
            or None
        )
    if node == "__interrupt__":
        return "paused for human review"
    return None
