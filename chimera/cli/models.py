"""`chimera doctor` and `chimera prompts show`: what the LLM path will use, before a run.

The doctor checks each configured model like start-up does (provider, extra, key), then sends
one tiny request to each to tell whether it answers; it also lists the services. It reports
rather than fails, so it is the command to run when `chimera run` refuses a model setting.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from chimera.cli.output import console, emit_json, fail
from chimera.platform import embedded
from chimera.platform.settings import Settings
from chimera.strategies import prompts as prompt_set
from chimera.strategies.models import ModelConfigError, ModelOptions, build_chat_model
from chimera.strategies.registry import RoleModels, options_of

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
prompts_app = typer.Typer(help="The versioned prompts of the LLM strategies.", no_args_is_help=True)


async def _probe(spec: str, setting: str, options: ModelOptions, timeout_s: float | None) -> str:
    """`reachable`, or why not (no retries: the doctor must answer quickly).

    With no timeout only the configuration is checked (`configured`); nothing is sent.
    """
    quick = ModelOptions(options.base_urls, min(options.timeout_s, timeout_s or 1.0), 0, None)
    try:
        model = await asyncio.to_thread(build_chat_model, spec, setting, quick)
        if timeout_s is None:
            return "configured"
        await asyncio.wait_for(model.ainvoke("Reply with the word OK."), timeout_s)
    except ModelConfigError as exc:
        return f"misconfigured: {exc}"
    except Exception as exc:
        return f"unreachable: {type(exc).__name__}: {str(exc)[:200]}"
    return "reachable"


async def model_report(
    settings: Settings, *, probe: bool, timeout_s: float
) -> list[dict[str, Any]]:
    """One row per role: its spec, the setting that named it, and its status."""
    roles, options = RoleModels.from_settings(settings), options_of(settings)
    specs = {"planner": roles.planner, "writer": roles.writer, "judge": roles.judge}
    rows = []
    for role, spec in (specs | {"relevance": roles.fast}).items():
        setting = roles.settings.get("fast" if role == "relevance" else role, "CHIMERA_MODEL")
        if not spec:
            rows.append({"role": role, "model": "deterministic", "setting": "", "status": "ok"})
            continue
        status = await _probe(spec, setting, options, timeout_s if probe else None)
        rows.append({"role": role, "model": spec, "setting": setting, "status": status})
    return rows


def doctor(
    probe: Annotated[bool, typer.Option(help="Send one tiny request to each model.")] = True,
    timeout_s: Annotated[float, typer.Option(min=0.1, help="Per-model probe timeout.")] = 15.0,
    json_out: JsonOpt = False,
) -> None:
    """Report the configured models (and whether they answer) and the services."""
    settings = Settings()
    models = asyncio.run(model_report(settings, probe=probe, timeout_s=timeout_s))
    services = [r.__dict__ for r in embedded.status(settings)]
    healthy = all(r["status"] in ("ok", "reachable", "configured") for r in models)
    if json_out:
        emit_json({"models": models, "services": services, "healthy": healthy})
    else:
        for r in models:
            mark = "green" if r["status"] in ("ok", "reachable", "configured") else "red"
            console.print(f"{r['role']:>9} {r['model']} [{mark}]{r['status']}[/] {r['setting']}")
        for s in services:
            mark = "[green]running[/]" if s["running"] else "[yellow]stopped[/]"
            console.print(f"{s['name']:>9} {mark} {s['detail']}")
    if not healthy:
        raise typer.Exit(1)


@prompts_app.command("show")
def show(
    role: Annotated[str | None, typer.Argument(help="planner, writer, judge or relevance.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Print the prompt templates with their versions."""
    chosen = [p for p in prompt_set.ALL if role in (None, p.role)]
    if not chosen:
        known = ", ".join(p.role for p in prompt_set.ALL)
        fail(f"unknown prompt role {role!r} (known: {known})", as_json=json_out)
    if json_out:
        emit_json([{"role": p.role, "version": p.version, "template": p.template} for p in chosen])
        return
    for p in chosen:
        console.rule(f"{p.role} ({p.version})")
        typer.echo(p.template)
