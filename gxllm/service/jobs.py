"""Upload jobs: an uploaded report is extracted in the background and stored as a record.

Each job is a store :class:`~gxllm.store.Run` of kind ``upload`` whose one
input is the uploaded file, kept as ``UPLOADS/SHA256/NAME`` (the folder names
the content, the file keeps the name it was uploaded under). Jobs left queued
or running by a stopped server are taken up again when the next one starts.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gxllm.batch.inputs import Task
from gxllm.batch.runner import store_outcome
from gxllm.batch.work import process
from gxllm.service.uploads import store_upload
from gxllm.settings import Settings
from gxllm.store import (
    Failure,
    Run,
    User,
    begin_write,
    find_document,
    finish_run,
    start_run,
    writing,
)
from gxllm.store.models import utcnow

UPLOAD_RUN = "upload"
# What an uploaded file's name may keep: letters of any script, digits, - _ . and spaces.
_UNSAFE_NAME = re.compile(r"[^\w\-. ]+")
_NAME_LIMIT = 120


@dataclass(frozen=True)
class JobView:
    id: int
    state: str
    filename: str
    record_id: int | None
    error: str | None


def _safe_name(filename: str, suffix: str) -> str:
    stem = _UNSAFE_NAME.sub("_", Path(filename.replace("\\", "/")).stem).strip(" .") or "upload"
    return stem[:_NAME_LIMIT] + suffix


def _sha256_of(run: Run) -> str:
    return Path(run.inputs[0]).parent.name


class Jobs:
    """Runs upload jobs in one background thread: extraction is CPU-bound, and one at a time
    keeps the web app answering while it works."""

    def __init__(self, sessions: sessionmaker[Session], uploads: Path, settings: Settings) -> None:
        self._sessions = sessions
        self._uploads = uploads
        self._settings = settings
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gxllm-job")
        self._idle = threading.Condition()
        self._pending = 0

    def submit(self, session: Session, stream: BinaryIO, filename: str, user: User) -> Run:
        """Keep the upload (checked by :func:`store_upload`) and queue its extraction; commits."""
        staged, sha256 = store_upload(stream, filename, self._uploads, self._settings.max_file_bytes)
        target = self._uploads / sha256 / _safe_name(filename, staged.suffix)
        target.parent.mkdir(exist_ok=True)
        staged.replace(target)
        begin_write(session)
        run = start_run(session, kind=UPLOAD_RUN, inputs=[str(target)], created_by=user)
        run.status = "queued"
        run.started_at = None
        session.commit()
        self._queue(run.id)
        return run

    def resume(self) -> None:
        """Queue again the jobs a stopped server left unfinished."""
        with self._sessions() as session:
            unfinished = session.scalars(
                select(Run.id).where(Run.kind == UPLOAD_RUN, Run.status.in_(("queued", "running"))).order_by(Run.id)
            ).all()
        for run_id in unfinished:
            self._queue(run_id)

    def _queue(self, run_id: int) -> None:
        with self._idle:
            self._pending += 1
        self._executor.submit(self._run, run_id)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until no job is queued or running (for tests and orderly shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _run(self, run_id: int) -> None:
        try:
            self._extract(run_id)
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _extract(self, run_id: int) -> None:
        # Short transactions around the extraction, never one held across it.
        with writing(self._sessions) as session:
            run = session.get(Run, run_id)
            if run is None or run.status not in ("queued", "running"):
                return
            run.status, run.started_at = "running", utcnow()
            path, sha256 = Path(run.inputs[0]), _sha256_of(run)
            existing = find_document(session, sha256)
            if existing is not None and existing.current_version_id is not None:
                finish_run(session, run)  # the same content was extracted before: one record per content
                return
        outcome = process(Task(path=str(path), sha256=sha256, size_bytes=path.stat().st_size))
        with writing(self._sessions) as session:
            run = session.get_one(Run, run_id)
            if store_outcome(session, run, outcome, [str(path)]):
                run.documents = 1
                finish_run(session, run)
            else:
                finish_run(session, run, "failed")


def job_view(session: Session, run: Run) -> JobView:
    """What a job's page and the API say about it."""
    document = find_document(session, _sha256_of(run)) if run.status == "finished" else None
    error = None
    if run.status == "failed":
        failure = session.scalar(select(Failure).where(Failure.run_id == run.id).order_by(Failure.id.desc()))
        error = failure.message if failure else "抽取失败"
    return JobView(
        id=run.id,
        state=run.status,
        filename=Path(run.inputs[0]).name,
        record_id=document.id if document is not None and document.current_version_id is not None else None,
        error=error,
    )
