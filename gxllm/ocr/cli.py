"""``gxllm ocr``: prepare the optional OCR engines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gxllm.console import err, fail_line
from gxllm.ocr.paddle_models import write_paddle_models

ocr_app = typer.Typer(help="Prepare the optional OCR engines (see docs/ocr.md).", no_args_is_help=True)


@ocr_app.command("paddle-models")
def paddle_models_command(
    target: Annotated[Path, typer.Argument(help="folder to write det/, rec/ and textline_ori/ into")],
) -> None:
    """Write PaddleOCR model folders from the models in the rapidocr wheel, for GXLLM_OCR_ENGINE=paddleocr."""
    if target.exists() and not target.is_dir():
        fail_line(target, "is a file, not a folder to write the model folders into")
        raise typer.Exit(code=1)
    try:
        folders = write_paddle_models(target)
    except OSError as error:
        fail_line(target, error.strerror or str(error))
        raise typer.Exit(code=1) from error
    for folder in folders:
        err.print(f"wrote {folder}", markup=False, highlight=False, soft_wrap=True)
    err.print(f"use them with GXLLM_OCR_ENGINE=paddleocr GXLLM_OCR_MODEL_DIR={target.resolve()}", markup=False, highlight=False, soft_wrap=True)
