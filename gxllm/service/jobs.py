"""Upload jobs: an uploaded report is extracted in the background and stored as a record.

Each job is a store :class:`~gxllm.store.Run` of kind ``upload`` whose one
input is the uploaded file (see :mod:`gxllm.service.uploads`). Jobs run on a
small pool of worker processes, ``upload_workers`` of them, each document
with the batch's time limit (``document_timeout_s``) and the app's settings,
so one slow upload holds only its own worker. A job always ends ``finished``
or ``failed`` with a one-line reason; a job that fails because gxllm is set
up wrong (:class:`~gxllm.errors.ConfigError`) fails no document, so the same
report uploaded again once it is fixed is extracted. Jobs whose server died
are ``interrupted`` and taken up again by the next server that starts.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gxllm.batch.executors import outcome_of, process_pool, schedule
from gxllm.errors import ConfigError, one_line
from gxllm.service.uploads import store_upload
from gxllm.settings import Settings
from gxllm.store import (
    Failure,
    Run,
    Task,
    User,
    begin_write,
    find_document,
    finish_run,
    interrupt_orphaned_runs,
    record_failure,
    start_run,
    store_outcome,
    writing,
)
from gxllm.store.models import utcnow
from gxllm.store.owners import this_process

UPLOAD_RUN = "upload"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobView:
    id: int
    state: str
    filename: str
    record_id: int | None
    error: str | None


def _sha256_of(run: Run) -> str:
    return Path(run.inputs[0]).parent.name


class Jobs:
    """Upload jobs on ``settings.upload_workers`` worker processes, each waited on by a thread of its own."""

    def __init__(self, sessions: sessionmaker[Session], uploads: Path, settings: Settings) -> None:
        self._sessions = sessions
        self._uploads = uploads
        self._timeout = settings.document_timeout_s
        self._max_bytes = settings.max_file_bytes
        self._processes = process_pool(settings.upload_workers, settings)
        self._threads = ThreadPoolExecutor(max_workers=settings.upload_workers, thread_name_prefix="gxllm-job")
        self._idle = threading.Condition()
        self._pending = 0
        self._closing = False

    def submit(self, session: Session, stream: BinaryIO, filename: str, user: User) -> Run:
        """Keep the upload (checked by :func:`store_upload`) and queue its extraction; commits."""
        path = store_upload(stream, filename, self._uploads, self._max_bytes)
        begin_write(session)
        run = start_run(session, kind=UPLOAD_RUN, inputs=[str(path)], created_by=user)
        run.status = "queued"
        run.started_at = None
        session.commit()
        self._queue(run.id)
        return run

    def resume(self) -> None:
        """Take up again the jobs of servers that died (and of this store's last server, stopped)."""
        with writing(self._sessions) as session:
            interrupt_orphaned_runs(session)
            interrupted = session.scalars(
                select(Run)
                .where(Run.kind == UPLOAD_RUN, Run.status == "interrupted")
                .order_by(Run.id)
                .with_for_update(skip_locked=True)  # two servers starting at once take each job once
            ).all()
            for run in interrupted:
                run.status, run.owner, run.started_at, run.finished_at = "queued", this_process(), None, None
            run_ids = [run.id for run in interrupted]
        for run_id in run_ids:
            self._queue(run_id)

    def _queue(self, run_id: int) -> None:
        with self._idle:
            self._pending += 1
        self._threads.submit(self._run, run_id)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until no job is queued or running (for tests and orderly shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self) -> None:
        """Stop now: jobs not finished stay queued or running, and the next server takes them up."""
        self._closing = True
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._processes.stop()
        self._processes.join()
        self._threads.shutdown(wait=True)

    def _run(self, run_id: int) -> None:
        try:
            self._extract(run_id)
        except ConfigError as error:
            logger.error("upload job %d: gxllm is set up wrong: %s", run_id, error)
            self._fail(run_id, str(error), "ConfigError")
        except Exception as error:  # a job must end in a state, whatever went wrong
            if self._closing:
                return  # stopped with its server: taken up again at the next start
            logger.exception("upload job %d failed", run_id)
            self._fail(run_id, one_line(error))
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _extract(self, run_id: int) -> None:
        # Short transactions around the extraction, never one held across it.
        with writing(self._sessions) as session:
            run = session.get(Run, run_id)
            if run is None or run.status != "queued":
                return
            run.status, run.started_at = "running", utcnow()
            path, sha256 = Path(run.inputs[0]), _sha256_of(run)
            existing = find_document(session, sha256)
            if existing is not None and existing.current_version_id is not None:
                finish_run(session, run)  # the same content was extracted before: one record per content
                return
        task = Task(path=str(path), sha256=sha256, size_bytes=path.stat().st_size)
        outcome = outcome_of(schedule(self._processes, task, timeout=self._timeout), task, self._timeout)
        if self._closing:
            return
        with writing(self._sessions) as session:
            run = session.get_one(Run, run_id)
            if store_outcome(session, run, outcome, [str(path)]):
                run.documents = 1
                finish_run(session, run)
            else:
                finish_run(session, run, "failed")

    def _fail(self, run_id: int, reason: str, error_type: str = "JobError") -> None:
        """End a job that broke outside the extraction of its document (the store, the file, gxllm's set-up):
        failed, with the reason, which names no document."""
        try:
            with writing(self._sessions) as session:
                run = session.get_one(Run, run_id)
                record_failure(session, path=run.inputs[0], stage="job", error_type=error_type, message=reason, run=run)
                finish_run(session, run, "failed")
        except Exception:  # the store itself is failing: the next server start ends the job
            logger.exception("upload job %d could not be marked failed", run_id)


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
