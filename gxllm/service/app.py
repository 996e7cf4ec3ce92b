"""The web app: the HTTP API under /api and the review pages, over one store."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DatabaseError
from starlette.datastructures import MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gxllm.service import api, ui
from gxllm.service.deps import LoginRequired
from gxllm.service.jobs import Jobs
from gxllm.service.throttle import LoginThrottle
from gxllm.settings import Settings, get_settings
from gxllm.store import open_store
from gxllm.store.engine import is_store_fault, store_unavailable

HERE = Path(__file__).parent
logger = logging.getLogger(__name__)
DEFAULT_UPLOADS = "gxllm-uploads"

# Everything the pages load comes from the app itself; no inline script or
# style, so a string from a report that slipped into markup could not run.
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


# Room for a multipart upload's headers and form fields around the file itself.
_FORM_OVERHEAD = 64 * 1024


class BodyLimit:
    """Refuse a request body over ``limit`` bytes before the app reads it whole: multipart
    parsing would otherwise spool any size to disk before an upload's own check runs.

    A declared Content-Length is refused at once; a chunked body is counted as it
    arrives, and once over the limit the app's answer is replaced by the 413.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = PlainTextResponse(f"request body over {self.limit} bytes", status_code=413)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await too_large(scope, receive, send)
            return
        received = 0
        over = False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def answer(message: Message) -> None:
            if not over:
                await send(message)
            elif message["type"] == "http.response.start":
                await too_large(scope, receive, send)

        await self.app(scope, counted, answer)


class SecurityHeaders:
    """The security headers on every answer, the app's own and those of the layers around it
    (a 500 of the server-error layer, a 413 of :class:`BodyLimit`, a 400 for a host not allowed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(_SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, secured)


class _App(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outermost, around the server-error layer FastAPI puts outside every middleware it is given.
        return SecurityHeaders(super().build_middleware_stack())


def _store_failed(request: Request, error: Exception) -> Response:
    """A request the store itself failed (full, read-only, damaged, out of reach): 503 with the reason
    in one line; the traceback goes to the server's log. Any other database error is a bug: 500."""
    if not isinstance(error, DatabaseError) or not is_store_fault(error):
        raise error
    logger.error("the store failed on %s %s", request.method, request.url.path, exc_info=error)
    reason = f"存储暂不可用：{store_unavailable(request.app.state.db_url, error).reason}"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": reason}, status_code=503)
    return PlainTextResponse(reason, status_code=503)


def create_app(
    db_url: str | None = None,
    *,
    uploads: Path | None = None,
    settings: Settings | None = None,
    allowed_hosts: Sequence[str] = ("*",),
) -> FastAPI:
    """The app over the store at ``db_url`` (created or migrated at start), keeping uploads in
    ``uploads``, answering requests for ``allowed_hosts`` only (400 for any other Host). ``settings``
    (default: the ``GXLLM_*`` environment) govern uploads and their extraction."""
    settings = settings or get_settings()
    sessions = open_store(db_url)
    jobs = Jobs(sessions, (uploads or Path(DEFAULT_UPLOADS)).resolve(), settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        jobs.resume()
        yield
        jobs.shutdown()
        # Closed, so SQLite folds its write-ahead log back into the store file.
        sessions.kw["bind"].dispose()

    app = _App(
        title="gxllm",
        summary="Upload 政府信息公开工作年度报告, follow their extraction, review the flagged records.",
        version="1",
        lifespan=lifespan,
        # The interactive docs pages load their scripts from a CDN: only the spec itself is served.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.db_url = db_url
    app.state.sessions = sessions
    app.state.jobs = jobs
    app.state.settings = settings
    app.state.login_throttle = LoginThrottle()

    app.add_middleware(BodyLimit, limit=settings.max_file_bytes + _FORM_OVERHEAD)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(ui.router)
    app.add_exception_handler(LoginRequired, ui.login_redirect)  # type: ignore[arg-type]
    app.add_exception_handler(DatabaseError, _store_failed)
    return app

