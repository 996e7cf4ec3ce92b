"""``run_batch``: discover, hash, skip what the store already has, extract the rest, store each as it finishes."""

from __future__ import annotations

import platform
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gxllm.batch.executors import ExecutorKind, local_outcomes, ray_outcomes
from gxllm.batch.inputs import content_hash, discover
from gxllm.batch.progress import batch_progress
from gxllm.settings import Settings
from gxllm.store import (
    Failure,
    Outcome,
    Run,
    Task,
    add_path,
    done_and_failed,
    find_document,
    finish_run,
    interrupt_orphaned_runs,
    open_store,
    recent_runs,
    record_failure,
    start_run,
    store_outcome,
    writing,
)


@dataclass
class BatchSummary:
    run_id: int
    found: int = 0
    skipped: int = 0
    skipped_failed: int = 0
    extracted: int = 0
    pages: int = 0
    failures: list[Failure] = field(default_factory=list)


@dataclass
class _Found:
    # Every path of each content, the first found first; a content found twice is extracted once.
    paths: dict[str, list[str]]
    sizes: dict[str, int]
    unreadable: list[tuple[Path, OSError]]


@dataclass
class _Plan:
    tasks: list[Task]
    skipped: int
    skipped_failed: int


def _find(inputs: list[Path]) -> _Found:
    """Every report under ``inputs``, hashed (before any transaction: hashing a folder takes a while)."""
    found = _Found({}, {}, [])
    for path in discover(inputs):
        try:
            sha256, size = content_hash(path)
        except OSError as error:
            found.unreadable.append((path.absolute(), error))
            continue
        seen = found.paths.setdefault(sha256, [])
        if str(path.absolute()) not in seen:
            seen.append(str(path.absolute()))
        found.sizes[sha256] = size
    return found


def _plan(session: Session, found: _Found, retry_failed: bool) -> _Plan:
    done, failed = done_and_failed(session, found.paths)
    skip = done if retry_failed else done | failed
    tasks = [Task(path=p[0], sha256=sha, size_bytes=found.sizes[sha]) for sha, p in found.paths.items() if sha not in skip]
    return _Plan(tasks, len(done), 0 if retry_failed else len(failed))


def _store(sessions: sessionmaker[Session], run_id: int, outcome: Outcome, paths: list[str]) -> int:
    """One document, one transaction (a kill loses only the documents in flight)."""
    with writing(sessions) as session:
        return store_outcome(session, session.get_one(Run, run_id), outcome, paths)


def _outcomes(executor: ExecutorKind, tasks: list[Task], settings: Settings, workers: int, timeout: float) -> Iterator[Outcome]:
    if executor == ExecutorKind.ray:
        return ray_outcomes(tasks, settings=settings, workers=workers)
    return local_outcomes(tasks, settings=settings, workers=workers, timeout=timeout)


def _versions() -> dict[str, str]:
    return {"gxllm": version("gxllm"), "python": platform.python_version()}


def run_batch(
    inputs: list[Path],
    *,
    settings: Settings,
    db_url: str | None = None,
    workers: int = 1,
    executor: ExecutorKind = ExecutorKind.local,
    retry_failed: bool = False,
    timeout: float | None = None,
    show_progress: bool = True,
) -> BatchSummary:
    """Extract every report under ``inputs`` into the store at ``db_url``, every worker with ``settings``.

    Contents the store already holds a record for are skipped, and so are those
    that failed before unless ``retry_failed``. A document taking longer than
    ``timeout`` seconds (default: the ``document_timeout_s`` setting) fails
    alone. Each document is committed on its own as it finishes, so a run
    killed at any moment loses at most the documents in flight, and the next
    run does exactly those. A :class:`~gxllm.errors.ConfigError` (a model or an
    OCR engine not installed) stops the run, marked failed, and is raised:
    no document is failed for it.
    """
    timeout = timeout or settings.document_timeout_s
    sessions = open_store(db_url)
    found = _find(inputs)
    with writing(sessions) as session:
        interrupt_orphaned_runs(session)
        plan = _plan(session, found, retry_failed)
        run = start_run(
            session,
            inputs=[str(p) for p in inputs],
            executor=str(executor),
            workers=workers,
            settings=settings.model_dump(mode="json"),
            versions=_versions(),
        )
        run.documents = len(found.paths) + len(found.unreadable)
        run.skipped = plan.skipped + plan.skipped_failed
        for path, error in found.unreadable:
            record_failure(session, path=str(path), stage="read", error_type=type(error).__name__,
                           message=error.strerror or str(error), run=run)
        run.failed = len(found.unreadable)
        # Contents already in the store remember the paths they were found under this time too.
        for sha256, paths in found.paths.items():
            document = find_document(session, sha256)
            if document is not None:
                for path in paths:
                    add_path(session, document, path)
        run_id = run.id
    summary = BatchSummary(run_id=run_id, found=run.documents, skipped=plan.skipped, skipped_failed=plan.skipped_failed)
    errors = len(found.unreadable)
    status = "failed"
    with batch_progress(disable=not show_progress) as progress:
        bar = progress.add_task("batch", total=len(plan.tasks), pages=0, errors=errors)
        try:
            for outcome in _outcomes(executor, plan.tasks, settings, workers, timeout):
                paths = found.paths[outcome.task.sha256]
                try:
                    pages = _store(sessions, run_id, outcome, paths)
                except IntegrityError:
                    # Another batch stored the same content a moment ago: keep theirs, add our paths.
                    pages = _store(sessions, run_id, outcome, paths)
                summary.pages += pages
                summary.extracted += outcome.output is not None
                errors += outcome.output is None
                progress.update(bar, advance=1, pages=summary.pages, errors=errors)
            status = "finished"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            with writing(sessions) as session:
                finish_run(session, session.get_one(Run, run_id), status)
    with sessions() as session:
        summary.failures = list(session.scalars(select(Failure).where(Failure.run_id == run_id).order_by(Failure.id)))
    return summary


def latest_runs(db_url: str | None = None, limit: int = 20) -> list[Run]:
    """The ``limit`` latest runs (batches and upload jobs), latest first, once those whose process
    died are marked interrupted."""
    sessions = open_store(db_url)
    with writing(sessions) as session:
        interrupt_orphaned_runs(session)
        return recent_runs(session, limit)
