"""What the batch, the exports and the review app do with the store.

Every function takes an open :class:`~sqlalchemy.orm.Session` and leaves the
commit to the caller, so one document's rows (its record version, flags and
paths) go in one transaction: a crash commits all of them or none.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from gxllm.errors import GxllmError
from gxllm.record import Evidence, Extraction, Flag, ItemThemes, Record
from gxllm.store.models import (
    Decision,
    Document,
    DocumentPath,
    Failure,
    FlagRow,
    ItemTheme,
    RecordVersion,
    ReviewDecision,
    Run,
    RunStatus,
    User,
    utcnow,
)
from gxllm.store.owners import is_running, this_process
from gxllm.validate import CROSS_YEAR_RULES, cross_year_flags, validate

# Decisions that settle a flag for good; a correction instead makes a new version, re-validated.
CLOSING_DECISIONS = ("confirmed_source", "dismissed")
# A run in one of these states has a process working on it (or had one that died).
UNFINISHED = ("queued", "running")


class StaleRecord(GxllmError):
    """The document changed since the reviewer loaded it: reload, then decide again."""


class BadCorrection(GxllmError):
    """A correction names a cell the record lacks, or a value of the wrong type."""


class BadUsername(GxllmError):
    """A user name no one could log in with (empty, spaces around it, unprintable, too long)."""


# -- runs --------------------------------------------------------------------------------------


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


# -- documents and extractions -----------------------------------------------------------------


def find_document(session: Session, sha256: str) -> Document | None:
    return session.scalar(select(Document).where(Document.sha256 == sha256))


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
                select(Document.sha256).where(Document.sha256.in_(chunk), Document.current_version_id.is_not(None))
            )
        )
        failed.update(
            session.scalars(
                select(Document.sha256)
                .join(Failure, Failure.document_id == Document.id)
                .where(Document.sha256.in_(chunk), Document.current_version_id.is_(None))
            )
        )
    return done, failed


def _document(session: Session, sha256: str) -> Document:
    document = find_document(session, sha256)
    if document is None:
        document = Document(sha256=sha256)
        session.add(document)
    return document


def add_path(session: Session, document: Document, path: str) -> None:
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
) -> Document:
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
        evidence=_evidence_json(extraction.evidence),
        source=extraction.source.model_dump(mode="json"),
        timings=extraction.timings,
        run_id=run.id if run else None,
        flags=_flag_rows(extraction.flags),
        themes=_theme_rows(extraction.themes),
    )
    document.kind = extraction.source.kind
    document.pages = extraction.source.pages
    document.size_bytes = size_bytes
    document.text = text
    _point_at(document, version)
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


def _evidence_json(evidence: dict[str, Evidence]) -> dict[str, Any]:
    return {path: item.model_dump(mode="json", exclude_none=True) for path, item in evidence.items()}


def _flag_rows(flags: Iterable[Flag]) -> list[FlagRow]:
    return [FlagRow(position=i, **flag.model_dump(mode="json")) for i, flag in enumerate(flags)]


def _theme_rows(themes: ItemThemes) -> list[ItemTheme]:
    return [
        ItemTheme(list_name=name, item=item, rank=rank, theme=theme)
        for name, items in themes.items()
        for item, names in enumerate(items)
        for rank, theme in enumerate(names)
    ]


def item_themes(version: RecordVersion) -> ItemThemes:
    """Each item's themes, main first, by list, as the extraction gave them."""
    themes: dict[str, list[list[str]]] = {}
    for row in version.themes:  # ordered by list, item, rank
        items = themes.setdefault(row.list_name, [])
        while len(items) <= row.item:
            items.append([])
        items[row.item].append(row.theme)
    return themes  # type: ignore[return-value]


def to_flag(row: FlagRow) -> Flag:
    return Flag.model_validate({name: getattr(row, name) for name in Flag.model_fields})


def to_extraction(version: RecordVersion) -> Extraction:
    """A stored record version as the pipeline's :class:`Extraction`."""
    return Extraction(
        record=Record.model_validate(version.record),
        themes=item_themes(version),
        evidence={k: Evidence.model_validate(v) for k, v in version.evidence.items()},
        flags=[to_flag(row) for row in version.flags],
        source=version.source,
        timings=version.timings,
    )


# -- review ------------------------------------------------------------------------------------


def flag_states(session: Session, document: Document) -> list[tuple[FlagRow, ReviewDecision | None]]:
    """Each flag of the current record with the decision that closed it (None: still open).

    Decisions follow the flag's fingerprint, so a flag dismissed on one version
    stays dismissed on the corrections that still raise it.
    """
    if document.current_version is None:
        return []
    closing: dict[str, ReviewDecision] = {}
    for decision in session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.document_id == document.id, ReviewDecision.decision.in_(CLOSING_DECISIONS))
        .order_by(ReviewDecision.id)
    ):
        if decision.flag_fingerprint:
            closing[decision.flag_fingerprint] = decision
    return [(flag, closing.get(flag.fingerprint)) for flag in document.current_version.flags]


def open_flags(session: Session, document: Document) -> list[FlagRow]:
    return [flag for flag, decision in flag_states(session, document) if decision is None]


def _point_at(document: Document, version: RecordVersion) -> None:
    """Make ``version`` the document's current record, with the fields the queue filters on."""
    document.current_version = version
    document.agency = version.record.get("agency")
    document.year = version.record.get("year")
    document.template = version.record.get("template")
    document.updated_at = utcnow()


# -- the same agency's other years -------------------------------------------------------------


def _record_of(session: Session, agency: str, year: int, *, besides: Document) -> Document | None:
    """The agency's document of ``year`` with a record (the latest stored, if there are several)."""
    return session.scalar(
        select(Document)
        .where(Document.agency == agency, Document.year == year, Document.current_version_id.is_not(None))
        .where(Document.id != besides.id)
        .order_by(Document.id.desc())
        .limit(1)
    )


def _recheck_cross_year(session: Session, document: Document, previous: Document | None) -> bool:
    """Make the cross-year flags (CROSS_YEAR_RULES) of ``document``'s record those against ``previous``'s record;
    whether they changed. Flags kept keep their decisions (decisions follow fingerprints)."""
    version = document.current_version
    assert version is not None
    flags: list[Flag] = []
    if previous is not None and previous.current_version is not None:
        flags = cross_year_flags(
            Record.model_validate(version.record),
            previous=Record.model_validate(previous.current_version.record),
            evidence={k: Evidence.model_validate(v) for k, v in version.evidence.items()},
            source_text=document.text,
        )
    wanted = {flag.fingerprint for flag in flags}
    stale = [row for row in version.flags if row.rule in CROSS_YEAR_RULES and row.fingerprint not in wanted]
    have = {row.fingerprint for row in version.flags if row.rule in CROSS_YEAR_RULES}
    new = [flag for flag in flags if flag.fingerprint not in have]
    for row in stale:
        version.flags.remove(row)
    position = max((row.position for row in version.flags), default=-1) + 1
    version.flags.extend(
        FlagRow(position=position + i, **flag.model_dump(mode="json")) for i, flag in enumerate(new)
    )
    if stale or new:
        session.flush()
        refresh_review_status(session, document)
    return bool(stale or new)


def check_neighbouring_years(session: Session, document: Document) -> None:
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
        following.version = Document.version + 1


def refresh_review_status(session: Session, document: Document) -> None:
    """unread (no record) · clean (no flags, never reviewed) · open (a flag awaits a decision) · reviewed."""
    states = flag_states(session, document)
    if document.current_version is None:
        document.review_status = "unread"
    elif not states:
        decided = session.scalar(select(ReviewDecision.id).where(ReviewDecision.document_id == document.id).limit(1))
        document.review_status = "clean" if decided is None else "reviewed"
    elif any(decision is None for _, decision in states):
        document.review_status = "open"
    else:
        document.review_status = "reviewed"


def claim(session: Session, document_id: int, expected_version: int) -> Document:
    """Take ``document_id`` for a change, if it is still at ``expected_version``; else :class:`StaleRecord`.

    The check and the increment are one conditional UPDATE, so of two
    reviewers who loaded the same version, exactly one gets through.
    """
    result = session.execute(
        update(Document)
        .where(Document.id == document_id, Document.version == expected_version)
        .values(version=Document.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    document = session.get(Document, document_id, populate_existing=True)
    if document is None:
        raise LookupError(f"no document {document_id}")
    if result.rowcount == 0:
        raise StaleRecord(
            f"document {document_id} changed since it was loaded (version {expected_version}, now {document.version})"
        )
    return document


def _current_flag(document: Document, fingerprint: str) -> FlagRow:
    assert document.current_version is not None
    for flag in document.current_version.flags:
        if flag.fingerprint == fingerprint:
            return flag
    raise LookupError(f"document {document.id} has no flag {fingerprint} on its current record")


def decide(
    session: Session,
    document_id: int,
    *,
    expected_version: int,
    fingerprint: str,
    decision: Decision,
    reviewer: User,
    reason: str | None = None,
) -> ReviewDecision:
    """Confirm a flag as the source's own error, or dismiss it (a reason is required)."""
    if decision not in CLOSING_DECISIONS:
        raise ValueError(f"decide() takes {' or '.join(CLOSING_DECISIONS)}; a correction goes through correct()")
    if decision == "dismissed" and not (reason and reason.strip()):
        raise ValueError("a dismissal needs a reason")
    document = claim(session, document_id, expected_version)
    flag = _current_flag(document, fingerprint)
    row = ReviewDecision(
        document_id=document.id,
        record_version_id=flag.record_version_id,
        flag_fingerprint=fingerprint,
        rule=flag.rule,
        decision=decision,
        reason=reason,
        reviewer_id=reviewer.id,
    )
    session.add(row)
    session.flush()
    refresh_review_status(session, document)
    return row


def _set_field(data: dict[str, Any], path: str, value: Any) -> Any:
    """Set ``a.b.c`` in the record's JSON and return the value it replaces."""
    *parents, leaf = path.split(".")
    node = data
    for key in parents:
        if not isinstance(node.get(key), dict):
            raise BadCorrection(f"the record has no field {path}")
        node = node[key]
    if leaf not in node:
        raise BadCorrection(f"the record has no field {path}")
    old, node[leaf] = node[leaf], value
    return old


def correct(
    session: Session,
    document_id: int,
    *,
    expected_version: int,
    cell: str,
    value: Any,
    reviewer: User,
    fingerprint: str | None = None,
    reason: str | None = None,
) -> ReviewDecision:
    """Set ``cell`` (a record path such as ``section3.new.total`` or ``year``) to ``value`` as a new version.

    The validator runs at once on the corrected record (against the stored
    source text); the new version's flags replace the old ones as current.
    The corrected value's evidence becomes the reviewer's reading.
    """
    document = claim(session, document_id, expected_version)
    current = document.current_version
    if current is None:
        raise LookupError(f"document {document_id} has no record to correct")
    rule = _current_flag(document, fingerprint).rule if fingerprint else None
    data = copy.deepcopy(current.record)
    old = _set_field(data, cell, value)
    try:
        record = Record.model_validate(data)
    except ValueError as error:
        raise BadCorrection(f"{cell} cannot be {value!r}: {error}") from None
    evidence = {k: Evidence.model_validate(v) for k, v in current.evidence.items()}
    before = evidence.get(cell)
    evidence[cell] = Evidence(
        token=None if value is None else str(value),
        page=before.page if before else None,
        box=before.box if before else None,
        method=before.method if before else "text",
        note=f"corrected by {reviewer.username}: was {old!r}" + (f" ({reason})" if reason else ""),
    )
    flags = validate(record, evidence=evidence, source_text=document.text)
    version = RecordVersion(
        document=document,
        number=current.number + 1,
        kind="correction",
        record=record.to_json(),
        evidence=_evidence_json(evidence),
        source=current.source,
        parent_id=current.id,
        run_id=None,
        created_by_id=reviewer.id,
        flags=_flag_rows(flags),
        themes=_theme_rows(item_themes(current)),  # a correction changes a value, never the items
    )
    session.add(version)
    session.flush()
    row = ReviewDecision(
        document_id=document.id,
        record_version_id=current.id,
        result_version_id=version.id,
        flag_fingerprint=fingerprint,
        rule=rule,
        decision="corrected",
        reason=reason,
        cell=cell,
        old_value=old,
        new_value=value,
        reviewer_id=reviewer.id,
    )
    session.add(row)
    _point_at(document, version)
    session.flush()
    refresh_review_status(session, document)
    check_neighbouring_years(session, document)
    return row


# -- themes across the store ---------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeCount:
    list_name: str
    theme: str
    items: int  # items of current records with this theme
    main: int  # of those, items whose main theme it is
    documents: int  # current records with such an item


def theme_counts(session: Session) -> list[ThemeCount]:
    """Problems and remedies by theme over every document's current record, most items first."""
    query = (
        select(
            ItemTheme.list_name,
            ItemTheme.theme,
            func.count(ItemTheme.id),
            func.sum(case((ItemTheme.rank == 0, 1), else_=0)),
            func.count(func.distinct(Document.id)),
        )
        .join(Document, ItemTheme.record_version_id == Document.current_version_id)
        .group_by(ItemTheme.list_name, ItemTheme.theme)
        .order_by(ItemTheme.list_name, func.count(ItemTheme.id).desc(), ItemTheme.theme)
    )
    return [ThemeCount(name, theme, items, int(main), documents) for name, theme, items, main, documents in session.execute(query)]


# -- users -------------------------------------------------------------------------------------


def add_user(session: Session, username: str, password_hash: str, role: str = "reviewer") -> User:
    """A new account; hashing the password is the caller's (the web app's) business.

    A user name is typed to log in: one to as many printable characters as the
    store keeps, with no space or tab at either end (else :class:`BadUsername`).
    """
    limit = User.__table__.c.username.type.length
    if not (0 < len(username) <= limit and username.isprintable() and username == username.strip()):
        raise BadUsername(
            f"the user name {username!r} cannot be typed to log in: 1 to {limit} printable characters, no space at either end"
        )
    user = User(username=username, password_hash=password_hash, role=role)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))
