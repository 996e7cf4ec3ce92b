"""What a batch or an upload puts in the store: documents by content, their paths, their first
record (an extraction, validated) or why they failed, and the checks across one agency's years,
run again as each year arrives."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from gxllm.record import Extraction, Flag, Record
from gxllm.store.flags import refresh_review_status
from gxllm.store.models import DocumentPath, Failure, RecordVersion, Run, StoredDocument
from gxllm.store.outcomes import Outcome
from gxllm.store.versions import (
    evidence_json,
    flag_rows,
    make_current,
    stored_evidence,
    theme_rows,
)
from gxllm.validate import CROSS_YEAR_RULES, cross_year_flags


def find_document(session: Session, sha256: str) -> StoredDocument | None:
    return session.scalar(select(StoredDocument).where(StoredDocument.sha256 == sha256))


def done_and_failed(session: Session, sha256s: Iterable[str]) -> tuple[set[str], set[str]]:
    """Of these contents: those with a record, and those that failed and still have none."""
    wanted = list(set(sha256s))
    done: set[str] = set()
    failed: set[str] = set()
    # SQLite caps bound parameters per statement; ask in slices.
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        done.update(
            session.scalars(
                select(StoredDocument.sha256).where(StoredDocument.sha256.in_(chunk), StoredDocument.current_version_id.is_not(None))
            )
        )
        failed.update(
            session.scalars(
                select(StoredDocument.sha256)
                .join(Failure, Failure.document_id == StoredDocument.id)
                .where(StoredDocument.sha256.in_(chunk), StoredDocument.current_version_id.is_(None))
            )
        )
    return done, failed


def _document(session: Session, sha256: str) -> StoredDocument:
    document = find_document(session, sha256)
    if document is None:
        document = StoredDocument(sha256=sha256)
        session.add(document)
    return document


def add_path(session: Session, document: StoredDocument, path: str) -> None:
    """Remember that ``document``'s content was found at ``path``."""
    if document.id is not None:  # a stored document may know the path already
        known = session.scalar(
            select(DocumentPath.id).where(DocumentPath.document_id == document.id, DocumentPath.path == path)
        )
        if known is not None:
            return
    session.add(DocumentPath(document=document, path=path))


def store_extraction(
    session: Session,
    extraction: Extraction,
    *,
    path: str,
    size_bytes: int | None = None,
    text: str | None = None,
    run: Run | None = None,
) -> StoredDocument:
    """The document of ``extraction.source.sha256`` with this extraction as its current record.

    A document that already has a record keeps it (only ``path`` is added), so
    storing the same content twice never makes a second record.
    """
    document = _document(session, extraction.source.sha256)
    add_path(session, document, path)
    if document.current_version_id is not None:
        return document
    # A document without a current record has no record at all (it failed before, or is new).
    version = RecordVersion(
        document=document,
        number=1,
        kind="extraction",
        record=extraction.record.to_json(),
        evidence=evidence_json(extraction.evidence),
        source=extraction.source.model_dump(mode="json"),
        timings=extraction.timings,
        run_id=run.id if run else None,
        flags=flag_rows(extraction.flags),
        themes=theme_rows(extraction.themes),
    )
    document.kind = extraction.source.kind
    document.pages = extraction.source.pages
    document.size_bytes = size_bytes
    document.text = text
    make_current(document, version)
    document.review_status = "open" if extraction.flags else "clean"
    check_neighbouring_years(session, document)
    return document


def record_failure(
    session: Session,
    *,
    path: str,
    stage: str,
    error_type: str,
    message: str,
    sha256: str | None = None,
    size_bytes: int | None = None,
    run: Run | None = None,
) -> Failure:
    """Store why ``path`` could not be processed; ``sha256`` is None when its bytes could not be read."""
    document = None
    if sha256 is not None:
        document = _document(session, sha256)
        document.size_bytes = size_bytes
        add_path(session, document, path)
    failure = Failure(
        run_id=run.id if run else None,
        document=document,
        path=path,
        stage=stage,
        error_type=error_type,
        message=message,
    )
    session.add(failure)
    return failure


def store_outcome(session: Session, run: Run, outcome: Outcome, paths: list[str]) -> int:
    """One finished document into the store: its record, flags and paths (or
    its failure) and the run's counts. Returns its pages (0 for a failure)."""
    extraction = outcome.extraction()
    if extraction is None:
        record_failure(
            session,
            path=outcome.task.path,
            stage=outcome.stage or "extract",
            error_type=outcome.error_type or "Error",
            message=outcome.message or "",
            sha256=outcome.task.sha256,
            size_bytes=outcome.task.size_bytes,
            run=run,
        )
        run.failed += 1
        return 0
    document = store_extraction(
        session, extraction, path=paths[0], size_bytes=outcome.task.size_bytes, text=outcome.text, run=run
    )
    for path in paths[1:]:
        add_path(session, document, path)
    run.extracted += 1
    run.pages += extraction.source.pages
    return extraction.source.pages


# -- the same agency's other years -------------------------------------------------------------


def _record_of(session: Session, agency: str, year: int, *, besides: StoredDocument) -> StoredDocument | None:
    """The agency's document of ``year`` with a record (the latest stored, if there are several)."""
    return session.scalar(
        select(StoredDocument)
        .where(StoredDocument.agency == agency, StoredDocument.year == year, StoredDocument.current_version_id.is_not(None))
        .where(StoredDocument.id != besides.id)
        .order_by(StoredDocument.id.desc())
        .limit(1)
    )


def _recheck_cross_year(session: Session, document: StoredDocument, previous: StoredDocument | None) -> bool:
    """Make the cross-year flags (CROSS_YEAR_RULES) of ``document``'s record those against ``previous``'s record;
    whether they changed. Flags kept keep their decisions (decisions follow fingerprints)."""
    version = document.current_version
    assert version is not None
    flags: list[Flag] = []
    if previous is not None and previous.current_version is not None:
        flags = cross_year_flags(
            Record.model_validate(version.record),
            previous=Record.model_validate(previous.current_version.record),
            evidence=stored_evidence(version),
            source_text=document.text,
        )
    wanted = {flag.fingerprint for flag in flags}
    stale = [row for row in version.flags if row.rule in CROSS_YEAR_RULES and row.fingerprint not in wanted]
    have = {row.fingerprint for row in version.flags if row.rule in CROSS_YEAR_RULES}
    new = [flag for flag in flags if flag.fingerprint not in have]
    for row in stale:
        version.flags.remove(row)
    version.flags.extend(flag_rows(new, first_position=max((row.position for row in version.flags), default=-1) + 1))
    if stale or new:
        session.flush()
        refresh_review_status(session, document)
    return bool(stale or new)


def check_neighbouring_years(session: Session, document: StoredDocument) -> None:
    """CROSS_YEAR_RULES between ``document``'s current record and the same agency's
    records of the year before and the year after, whichever arrived first.

    A record the next year's check changes is a change to that document: its
    version goes up, so a reviewer looking at it is told it changed.
    """
    if document.current_version is None or document.agency is None or document.year is None:
        return
    session.flush()
    _recheck_cross_year(session, document, _record_of(session, document.agency, document.year - 1, besides=document))
    following = _record_of(session, document.agency, document.year + 1, besides=document)
    if following is not None and _recheck_cross_year(session, following, document):
        # Incremented in the UPDATE itself, so a reviewer's claim at the same moment is never undone.
        following.version = StoredDocument.version + 1
