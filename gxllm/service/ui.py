"""The review pages: log-in, the queue, a record with its source, upload.

Pages are rendered on the server; htmx posts each decision and swaps the
record part of the page for the answer. Every form works without JavaScript
too (the answer is then a redirect or a whole page).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import URL

from gxllm.read import SUPPORTED_SUFFIXES
from gxllm.service.auth import (
    LOGIN_CSRF_COOKIE,
    authenticate,
    csrf_matches,
    current_session,
    end_session,
    login_csrf,
    set_login_csrf,
    start_session,
)
from gxllm.service.dashboard import load_dashboard
from gxllm.service.deps import (
    AppSettings,
    CheckedReviewer,
    Db,
    LoginRequired,
    Reviewer,
    Throttle,
    UploadJobs,
)
from gxllm.service.jobs import job_view
from gxllm.service.pages import flagged_boxes, render_page, source_file
from gxllm.service.params import MAX_STORED_INT, ListPage, PageNumber, RowId
from gxllm.service.queue import QueueFilters, load_queue, next_open_record
from gxllm.service.review import (
    BadCorrection,
    BadDecision,
    DecisionRequest,
    StaleRecord,
    apply_decision,
    conflict_message,
    load_record,
    parse_value,
)
from gxllm.service.templating import path_for, render
from gxllm.service.uploads import RejectedUpload
from gxllm.service.views import record_page
from gxllm.settings import Settings
from gxllm.store import Run, WebSession, begin_write

router = APIRouter(include_in_schema=False)
_ACTIONS = {"confirm": "confirmed_source", "correct": "corrected", "dismiss": "dismissed"}


def login_redirect(request: Request, _exc: LoginRequired) -> Response:
    target = URL(path_for(request, "login_page")).include_query_params(next=request.url.path)
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": str(target)})
    return RedirectResponse(str(target), status_code=303)


def _page_context(web: WebSession) -> dict[str, Any]:
    return {"user": web.user, "csrf_token": web.csrf_token}


# ---------------------------------------------------------------- log-in


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never ``//host`` or a full URL."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", name="login_page")
def login_page(request: Request, session: Db, next: str = "/") -> Response:
    if current_session(session, request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, next=next)


def _login_form(
    request: Request, *, next: str, username: str = "", error: str | None = None, status_code: int = 401
) -> Response:
    token = login_csrf(request)
    context = {"next": _safe_next(next), "username": username, "error": error, "csrf_token": token}
    response = render(request, "login.html", context, status_code=status_code if error else 200)
    set_login_csrf(response, token)
    return response


@router.post("/login", name="login")
def login(
    request: Request,
    session: Db,
    throttle: Throttle,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return _login_form(request, next=next, username=username, error="登录表单已失效，请重新输入")
    client = request.client.host if request.client else ""
    wait_s = throttle.wait_s(username, client)
    if wait_s > 0:
        error = f"登录失败次数过多，请 {math.ceil(wait_s / 60)} 分钟后再试"
        return _login_form(request, next=next, username=username, error=error, status_code=429)
    user = authenticate(session, username, password)
    if user is None:
        throttle.failed(username, client)
        return _login_form(request, next=next, username=username, error="用户名或密码不正确")
    throttle.succeeded(username, client)
    response = RedirectResponse(_safe_next(next), status_code=303)
    begin_write(session)
    start_session(session, user, response, secure=request.url.scheme == "https")
    session.commit()
    return response


@router.post("/logout", name="logout")
def logout(request: Request, session: Db, _web: CheckedReviewer) -> Response:
    response = RedirectResponse(path_for(request, "login_page"), status_code=303)
    begin_write(session)
    end_session(session, request, response)
    session.commit()
    return response


# ---------------------------------------------------------------- queue


def _year(chosen: str | None) -> int | None:
    """A year from a filter form, whose "全部" choice is empty; anything but a year filters nothing."""
    return int(chosen) if chosen and chosen.isdecimal() and len(chosen) <= 4 else None


@router.get("/", name="queue")
def queue(
    request: Request,
    session: Db,
    web: Reviewer,
    agency: str | None = None,
    year: Annotated[str | None, Query()] = None,
    template: str | None = None,
    rule: str | None = None,
    kind: str | None = None,
    theme: str | None = None,
    status: str | None = None,
    page: ListPage = 0,
) -> Response:
    # No status asked for: the open queue; an empty one (the "全部" choice): every status.
    filters = QueueFilters(
        agency=agency or None,
        year=_year(year),
        template=template or None,
        rule=rule or None,
        kind=kind or None,
        theme=theme or None,
        status="open" if status is None else (status or None),
    )
    loaded = load_queue(session, filters, page=page)
    context = {**_page_context(web), "rows": loaded.rows, "counts": loaded.counts, "facets": loaded.facets, "filters": filters}
    return render(request, "queue.html", context)


# ---------------------------------------------------------------- dashboard


@router.get("/dashboard", name="dashboard_page")
def dashboard(
    request: Request,
    session: Db,
    web: Reviewer,
    agency: str | None = None,
    year: Annotated[str | None, Query()] = None,
    template: str | None = None,
) -> Response:
    figures = load_dashboard(
        session, agency=agency or None, year=_year(year), template=template or None, queue_url=str(request.url_for("queue"))
    )
    context = {**_page_context(web), "dashboard": figures, "figures": figures.model_dump(mode="json")}
    return render(request, "dashboard.html", context)


# ---------------------------------------------------------------- a record


def _record_response(
    request: Request,
    session: Db,
    web: WebSession,
    record_id: int,
    *,
    partial: bool,
    status_code: int = 200,
    conflict: str | None = None,
    error: str | None = None,
) -> Response:
    try:
        state = load_record(session, record_id)
    except LookupError as missing:
        raise HTTPException(404, str(missing)) from None
    page = record_page(
        state,
        next_record_id=next_open_record(session, record_id),
        current=request.query_params.get("current"),
        conflict=conflict or error,
    )
    context = {**_page_context(web), "page": page}
    return render(request, "_record.html" if partial else "record.html", context, status_code)


@router.get("/records/{record_id}", name="record_page")
def record(request: Request, session: Db, web: Reviewer, record_id: RowId) -> Response:
    return _record_response(request, session, web, record_id, partial=False)


@router.post("/records/{record_id}/flags/{fingerprint}", name="flag_action")
def flag_action(
    request: Request,
    session: Db,
    web: CheckedReviewer,
    record_id: RowId,
    fingerprint: str,
    action: Annotated[str, Form()],
    version: Annotated[int, Form(ge=1, le=MAX_STORED_INT)],
    reason: Annotated[str, Form()] = "",
    path: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
) -> Response:
    if action not in _ACTIONS:
        raise HTTPException(404, f"没有“{action}”这种操作")
    partial = bool(request.headers.get("hx-request"))
    try:
        decision = DecisionRequest(
            version=version,
            fingerprint=fingerprint,
            decision=_ACTIONS[action],  # type: ignore[arg-type]
            reason=reason or None,
            cell=path or None,
            value=parse_value(value) if action == "correct" else None,
        )
        apply_decision(session, record_id, decision, web.user)
    except StaleRecord:
        state = load_record(session, record_id)
        return _record_response(request, session, web, record_id, partial=partial, status_code=409, conflict=conflict_message(state))
    except (BadDecision, BadCorrection) as refused:
        return _record_response(request, session, web, record_id, partial=partial, status_code=422, error=str(refused))
    except LookupError as missing:
        raise HTTPException(404, str(missing)) from None
    if partial:
        return _record_response(request, session, web, record_id, partial=True)
    return RedirectResponse(path_for(request, "record_page", record_id=record_id), status_code=303)


@router.get("/records/{record_id}/pages/{page}.png", name="page_image")
def page_image(session: Db, settings: AppSettings, _web: Reviewer, record_id: RowId, page: PageNumber) -> Response:
    """A page of the record's PDF or scan, rendered here, with the open flags' boxes drawn."""
    try:
        state = load_record(session, record_id)
        path = source_file(state.document)
        if path is None:
            raise LookupError("这份报告没有可显示的页面图像")
        boxes = flagged_boxes(state.extraction.evidence, state.open_flags).get(page, [])
        png = render_page(path, state.document.kind or "", page, boxes, settings.max_page_pixels)
    except LookupError as missing:
        raise HTTPException(404, str(missing)) from None
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


# ---------------------------------------------------------------- upload


def _upload_context(settings: Settings, web: WebSession) -> dict[str, Any]:
    return {
        **_page_context(web),
        "accept": ",".join(sorted(SUPPORTED_SUFFIXES)),
        "max_mb": settings.max_file_bytes // (1024 * 1024),
        "job": None,
        "error": None,
    }


@router.get("/upload", name="upload_page")
def upload_page(request: Request, settings: AppSettings, web: Reviewer) -> Response:
    return render(request, "upload.html", _upload_context(settings, web))


@router.post("/upload", name="upload_submit")
def upload_submit(
    request: Request, session: Db, settings: AppSettings, jobs: UploadJobs, web: CheckedReviewer, file: UploadFile
) -> Response:
    try:
        run = jobs.submit(session, file.file, file.filename or "", web.user)
    except RejectedUpload as refused:
        context = {**_upload_context(settings, web), "error": str(refused)}
        return render(request, "upload.html", context, status_code=413 if refused.too_large else 415)
    return RedirectResponse(path_for(request, "job_page", job_id=run.id), status_code=303)


@router.get("/jobs/{job_id}", name="job_page")
def job_page(request: Request, session: Db, settings: AppSettings, web: Reviewer, job_id: RowId) -> Response:
    run = session.get(Run, job_id)
    if run is None or run.kind != "upload":
        raise HTTPException(404, f"没有编号为 {job_id} 的上传任务")
    return render(request, "upload.html", {**_upload_context(settings, web), "job": job_view(session, run)})
