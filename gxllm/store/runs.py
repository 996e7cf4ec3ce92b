"""Runs: a batch or an upload job, who runs it, how it stands and what it did."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gxllm.store.models import Run, RunStatus, User, utcnow
from gxllm.store.owners import is_running, this_process

# A run in one of these states has a process working on it (or had one that died).
UNFINISHED = ("queued", "running")


def start_run(
    session: Session,
    *,
    kind: str = "batch",
    inputs: list[str] | None = None,
    executor: str | None = None,
    workers: int | None = None,
    settings: dict[str, Any] | None = None,
    versions: dict[str, Any] | None = None,
    created_by: User | None = None,
) -> Run:
    run = Run(
        kind=kind,
        owner=this_process(),
        inputs=inputs or [],
        executor=executor,
        workers=workers,
        settings=settings or {},
        versions=versions or {},
        created_by_id=created_by.id if created_by else None,
    )
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: Run, status: RunStatus = "finished") -> None:
    run.status = status
    run.finished_at = utcnow()


def interrupt_orphaned_runs(session: Session) -> list[Run]:
    """Mark ``interrupted`` every run left queued or running by a process that is gone (killed, or
    its machine restarted), so no run stays ``running`` after its process died; the runs marked."""
    unfinished = session.scalars(select(Run).where(Run.status.in_(UNFINISHED)).order_by(Run.id))
    orphaned = [run for run in unfinished if not is_running(run.owner)]
    for run in orphaned:
        finish_run(session, run, "interrupted")
    return orphaned


def recent_runs(session: Session, limit: int) -> list[Run]:
    """The ``limit`` latest runs, latest first."""
    return list(session.scalars(select(Run).order_by(Run.id.desc()).limit(limit)))
