"""What reviewers do to a record: claim it at the version they loaded, confirm or dismiss a flag,
correct a value (a new version, validated again); every decision kept as the audit trail."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from gxllm.errors import GxllmError
from gxllm.record import Evidence, Record
from gxllm.store.flags import CLOSING_DECISIONS, refresh_review_status
from gxllm.store.ingest import check_neighbouring_years
from gxllm.store.models import (
    Decision,
    FlagRow,
    RecordVersion,
    ReviewDecision,
    StoredDocument,
    User,
    utcnow,
)
from gxllm.store.versions import (
    evidence_json,
    flag_rows,
    item_themes,
    make_current,
    stored_evidence,
    theme_rows,
)
from gxllm.validate import validate


class StaleRecord(GxllmError):
    """The document changed since the reviewer loaded it: reload, then decide again."""


class BadCorrection(GxllmError):
    """A correction names a cell the record lacks, or a value of the wrong type."""


def claim(session: Session, document_id: int, expected_version: int) -> StoredDocument:
    """Take ``document_id`` for a change, if it is still at ``expected_version``; else :class:`StaleRecord`.

    The check and the increment are one conditional UPDATE, so of two
    reviewers who loaded the same version, exactly one gets through.
    """
    result = session.execute(
        update(StoredDocument)
        .where(StoredDocument.id == document_id, StoredDocument.version == expected_version)
        .values(version=StoredDocument.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    document = session.get(StoredDocument, document_id, populate_existing=True)
    if document is None:
        raise LookupError(f"no document {document_id}")
    if result.rowcount == 0:
        raise StaleRecord(
            f"document {document_id} changed since it was loaded (version {expected_version}, now {document.version})"
        )
    return document


def _current_flag(document: StoredDocument, fingerprint: str) -> FlagRow:
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
    """Set the record field ``path`` (a cell ``a.b.c``, or a field such as ``year`` or ``fee.amount_yuan``)
    in the record's JSON and return the value it replaces."""
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
    evidence = stored_evidence(current)
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
        evidence=evidence_json(evidence),
        source=current.source,
        parent_id=current.id,
        run_id=None,
        created_by_id=reviewer.id,
        flags=flag_rows(flags),
        themes=theme_rows(item_themes(current)),  # a correction changes a value, never the items
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
    make_current(document, version)
    session.flush()
    refresh_review_status(session, document)
    check_neighbouring_years(session, document)
    return row
