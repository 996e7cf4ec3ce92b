"""The review pages' templates, and the links in them and in redirects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from gxllm.service import names

TEMPLATES_DIR = Path(__file__).parent / "templates"


def path_for(request: Request, name: str, /, **path_params: Any) -> str:
    """The path of route ``name``, never a full URL: the Host header a client sends is not repeated
    in links, scripts or redirects."""
    return request.url_for(name, **path_params).path


@pass_context
def _template_path_for(context: dict[str, Any], name: str, /, **path_params: Any) -> str:
    return path_for(context["request"], name, **path_params)


def _templates() -> Jinja2Templates:
    """The page templates, autoescaping everything (Starlette's default for .html)."""
    pages = Jinja2Templates(directory=TEMPLATES_DIR)
    pages.env.globals.update(
        url_for=_template_path_for,
        severity_names=names.SEVERITY_NAMES,
        kind_names=names.KIND_NAMES,
        record_status_names=names.RECORD_STATUS_NAMES,
        flag_status_names=names.FLAG_STATUS_NAMES,
        job_names=names.JOB_NAMES,
    )
    return pages


_PAGES = _templates()


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """The page ``name`` (a template under ``templates/``) filled with ``context``."""
    return _PAGES.TemplateResponse(request, name, context, status_code=status_code)
