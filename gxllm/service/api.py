"""The HTTP API: upload a report, follow its job, read records and flags, post review decisions.

Every call needs ``Authorization: Bearer TOKEN`` (``gxllm users token NAME``
issues one). The spec is served at ``/api/openapi.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response, UploadFile
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from gxllm import strict_json
from gxllm.errors import one_line
from gxllm.service.dashboard import Dashboard, load_dashboard
from gxllm.service.deps import ApiUser, Db, UploadJobs
from gxllm.service.jobs import job_view
from gxllm.service.params import ListPage, RowId, YearFilter
from gxllm.service.queue import QueueFilters, load_queue
from gxllm.service.review import (
    BadCorrection,
    BadDecision,
    DecisionRequest,
    RecordState,
    StaleRecord,
    apply_decision,
    conflict_message,
    load_record,
)
from gxllm.service.uploads import RejectedUpload
from gxllm.store import Run, theme_counts


class _StrictJsonRequest(Request):
    """A request whose JSON body is read as :mod:`gxllm.strict_json` reads JSON: NaN, Infinity or an
    integer past ±(2^53 − 1) is refused (422) before any model sees it."""

    async def json(self) -> Any:
        try:
            return strict_json.loads(await self.body())
        except ValueError as error:
            raise HTTPException(422, f"the body is not JSON this API takes: {one_line(error)}") from None


class _StrictJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(_StrictJsonRequest(request.scope, request.receive))

        return strict


router = APIRouter(prefix="/api", tags=["api"], route_class=_StrictJsonRoute)


class Job(BaseModel):
    id: int
    state: Literal["queued", "running", "finished", "failed", "interrupted"] = Field(
        description="interrupted: its server stopped; the next server to start takes it up again"
    )
    filename: str
    record_id: int | None = Field(None, description="the record, once the job has finished")
    error: str | None = Field(None, description="why the job failed")


class FlagOut(BaseModel):
    flag: dict[str, Any] = Field(description="the validator's finding (gxllm.record.Flag)")
    status: Literal["open", "confirmed_source", "dismissed"]
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None


class AuditOut(BaseModel):
    at: datetime
    reviewer: str
    decision: Literal["confirmed_source", "corrected", "dismissed"]
    rule: str | None
    fingerprint: str | None
    cell: str | None
    old: Any
    new: Any
    reason: str | None


class RecordOut(BaseModel):
    id: int
    version: int = Field(description="the lock: send it back with a decision")
    record_version: int = Field(description="1 for the extraction, then one more per correction")
    review_status: str
    record: dict[str, Any] = Field(description="the record in the shape of docs/record.md, with evidence and source")
    flags: list[FlagOut]
    audit: list[AuditOut]


class QueueRowOut(BaseModel):
    id: int
    agency: str | None
    year: int | None
    template: str | None
    review_status: str
    open_flags: dict[str, int] = Field(description="open flags by severity")
    rules: list[str]
    kinds: list[str]


class QueueOut(BaseModel):
    records: int
    open_records: int
    open_flags: int
    items: list[QueueRowOut]


class ThemeCountOut(BaseModel):
    list: Literal["problems", "remedies"]
    theme: str
    items: int = Field(description="items of current records with this theme")
    main: int = Field(description="of those, items whose main theme it is")
    documents: int = Field(description="current records with such an item")


def _record_out(state: RecordState) -> RecordOut:
    output = state.extraction.to_output()
    output.pop("flags")
    return RecordOut(
        id=state.document.id,
        version=state.lock,
        record_version=state.version_number,
        review_status=state.document.review_status,
        record=output,
        flags=[
            FlagOut(
                flag=s.flag.model_dump(mode="json", exclude_none=True),
                status=s.status,  # type: ignore[arg-type]
                decided_by=s.closed_by.reviewer.username if s.closed_by else None,
                decided_at=s.closed_by.created_at if s.closed_by else None,
                reason=s.closed_by.reason if s.closed_by else None,
            )
            for s in state.flags
        ],
        audit=[AuditOut(**vars(entry)) for entry in state.audit],
    )


def _loaded(session: Session, record_id: int) -> RecordState:
    try:
        return load_record(session, record_id)
    except LookupError as missing:
        raise HTTPException(404, str(missing)) from None


@router.post("/documents", status_code=202, response_model=Job, summary="Upload a report; its extraction runs as a job")
def upload(session: Db, jobs: UploadJobs, user: ApiUser, file: UploadFile) -> Job:
    try:
        run = jobs.submit(session, file.file, file.filename or "", user)
    except RejectedUpload as refused:
        raise HTTPException(413 if refused.too_large else 415, str(refused)) from None
    return Job(**vars(job_view(session, run)))


@router.get("/jobs/{job_id}", response_model=Job, summary="An upload job's state, and its record once finished")
def job(session: Db, _user: ApiUser, job_id: RowId) -> Job:
    run = session.get(Run, job_id)
    if run is None or run.kind != "upload":
        raise HTTPException(404, f"no upload job {job_id}")
    return Job(**vars(job_view(session, run)))


@router.get("/records", response_model=QueueOut, summary="The review queue: worst open flags first")
def records(
    session: Db,
    _user: ApiUser,
    agency: str | None = None,
    year: YearFilter = None,
    template: Literal["2019", "2021"] | None = None,
    rule: str | None = None,
    kind: Literal["source", "extraction", "missing"] | None = None,
    theme: str | None = None,
    status: Literal["open", "reviewed", "clean", "unread", "all"] = "open",
    page: ListPage = 0,
) -> QueueOut:
    filters = QueueFilters(
        agency=agency, year=year, template=template, rule=rule, kind=kind, theme=theme, status=None if status == "all" else status
    )
    loaded = load_queue(session, filters, page=page)
    return QueueOut(
        records=loaded.counts.records,
        open_records=loaded.counts.open_records,
        open_flags=loaded.counts.open_flags,
        items=[
            QueueRowOut(
                id=row.record_id, agency=row.agency, year=row.year, template=row.template, review_status=row.status,
                open_flags=dict(row.by_severity), rules=row.rules, kinds=row.kinds,
            )
            for row in loaded.rows
        ],
    )


@router.get("/themes", response_model=list[ThemeCountOut], summary="Problems and remedies by theme across the store")
def themes(session: Db, _user: ApiUser) -> list[ThemeCountOut]:
    return [
        ThemeCountOut(list=c.list_name, theme=c.theme, items=c.items, main=c.main, documents=c.documents)  # type: ignore[arg-type]
        for c in theme_counts(session)
    ]


@router.get("/records/{record_id}", response_model=RecordOut, summary="A record with its flags and audit trail")
def record(session: Db, _user: ApiUser, record_id: RowId) -> RecordOut:
    return _record_out(_loaded(session, record_id))


@router.post(
    "/records/{record_id}/decisions",
    response_model=RecordOut,
    summary="Confirm a flag as the source's error, dismiss it, or correct a value (re-validated at once)",
    responses={409: {"description": "the record changed since `version`: nothing was saved"}},
)
def post_decision(session: Db, user: ApiUser, record_id: RowId, decision: DecisionRequest) -> RecordOut:
    try:
        apply_decision(session, record_id, decision, user)
    except StaleRecord:
        state = _loaded(session, record_id)
        raise HTTPException(409, {"message": conflict_message(state), "version": state.lock}) from None
    except (BadDecision, BadCorrection) as refused:
        raise HTTPException(422, str(refused)) from None
    except LookupError as missing:
        raise HTTPException(404, str(missing)) from None
    return _record_out(_loaded(session, record_id))


@router.get(
    "/dashboard",
    response_model=Dashboard,
    summary="The dashboard's figures: requests, outcomes, share refused, appeals, open flags, agencies by open errors",
)
def dashboard(
    request: Request,
    session: Db,
    _user: ApiUser,
    agency: str | None = None,
    year: int | None = None,
    template: Literal["2019", "2021"] | None = None,
) -> Dashboard:
    return load_dashboard(session, agency=agency, year=year, template=template, queue_url=str(request.url_for("queue")))
