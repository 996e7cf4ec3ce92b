"""A record under review, and the three decisions on a flag; one path for the pages and the API.

The decisions themselves (the optimistic lock, the new version, the validator
re-run after a correction, the audit rows) are the store's
(:func:`gxllm.store.decide`, :func:`gxllm.store.correct`); this module reads
what a reviewer needs to see and turns a request into one of those calls,
committed or not at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from gxllm.labels import cell_label
from gxllm.record import Amount, Extraction, Flag, Number
from gxllm.service.params import MAX_STORED_INT
from gxllm.store import (
    BadCorrection,
    ReviewDecision,
    StaleRecord,
    StoredDocument,
    User,
    begin_write,
    correct,
    decide,
    flag_states,
    to_extraction,
    to_flag,
)


@dataclass(frozen=True)
class FlagState:
    flag: Flag
    closed_by: ReviewDecision | None

    @property
    def status(self) -> str:
        """``open``, or the decision that closed the flag."""
        return "open" if self.closed_by is None else self.closed_by.decision


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    reviewer: str
    decision: str
    rule: str | None
    fingerprint: str | None
    cell: str | None
    old: Number | str | bool | None
    new: Number | str | bool | None
    reason: str | None


@dataclass(frozen=True)
class RecordState:
    document: StoredDocument
    extraction: Extraction
    version_number: int
    flags: list[FlagState]
    audit: list[AuditEntry]

    @property
    def lock(self) -> int:
        """The version a decision must name: it fails if anyone changed the record since."""
        return self.document.version

    @property
    def open_flags(self) -> list[Flag]:
        return [state.flag for state in self.flags if state.closed_by is None]

    @property
    def corrected_cells(self) -> set[str]:
        return {entry.cell for entry in self.audit if entry.decision == "corrected" and entry.cell}

    def label(self, path: str) -> str:
        return cell_label(self.extraction.record.spec, path)


def load_record(session: Session, document_id: int) -> RecordState:
    """The document's current record, its flags with their states, and its audit trail."""
    document = session.get(StoredDocument, document_id, populate_existing=True)
    if document is None or document.current_version is None:
        raise LookupError(f"没有编号为 {document_id} 的报告记录")
    decisions = session.scalars(
        select(ReviewDecision).where(ReviewDecision.document_id == document.id).order_by(ReviewDecision.id)
    ).all()
    audit = [
        AuditEntry(
            at=d.created_at, reviewer=d.reviewer.username, decision=d.decision, rule=d.rule,
            fingerprint=d.flag_fingerprint, cell=d.cell, old=d.old_value, new=d.new_value, reason=d.reason,
        )
        for d in decisions
    ]
    return RecordState(
        document=document,
        extraction=to_extraction(document.current_version),
        version_number=document.current_version.number,
        flags=[FlagState(to_flag(row), closed_by) for row, closed_by in flag_states(session, document)],
        audit=audit,
    )


class DecisionRequest(BaseModel):
    """One decision on one flag, made on the record as it was at ``version``."""

    version: int = Field(ge=1, le=MAX_STORED_INT, description="the record's lock version the reviewer saw (`version` of GET /api/records/{id})")
    fingerprint: str = Field(description="the flag decided on")
    decision: Literal["confirmed_source", "dismissed", "corrected"]
    reason: str | None = Field(None, description="required to dismiss")
    cell: str | None = Field(None, description="for a correction: the record path to set, e.g. section3.new.total")
    value: Amount | None = Field(None, description="for a correction: the value the source prints (null: unreadable); a finite number, integers within ±(2^53 − 1)")


class BadDecision(ValueError):
    """A decision that cannot be made as asked (no reason to dismiss, no cell to correct, unknown flag)."""


def apply_decision(session: Session, document_id: int, request: DecisionRequest, reviewer: User) -> None:
    """Make ``request``'s decision and commit it; on any refusal nothing is written.

    Raises :class:`StaleRecord` when someone changed the record since
    ``request.version``, :class:`BadDecision` or :class:`BadCorrection` when
    the decision itself cannot be made, :class:`LookupError` for an unknown record.
    """
    begin_write(session)
    try:
        document = session.get(StoredDocument, document_id)
        if document is None:
            raise LookupError(f"没有编号为 {document_id} 的报告记录")
        if document.version == request.version and any(
            row.fingerprint == request.fingerprint and closed is not None for row, closed in flag_states(session, document)
        ):
            raise BadDecision("这个问题已经处理过了")
        if request.decision == "corrected":
            if not request.cell:
                raise BadDecision("更正需要指明单元格")
            correct(
                session, document_id, expected_version=request.version, cell=request.cell, value=request.value,
                reviewer=reviewer, fingerprint=request.fingerprint, reason=request.reason or None,
            )
        else:
            if request.decision == "dismissed" and not (request.reason and request.reason.strip()):
                raise BadDecision("驳回需要填写理由")
            decide(
                session, document_id, expected_version=request.version, fingerprint=request.fingerprint,
                decision=request.decision, reviewer=reviewer, reason=(request.reason or "").strip() or None,
            )
        session.commit()
    except (StaleRecord, BadCorrection, BadDecision, LookupError):
        session.rollback()
        raise


def conflict_message(state: RecordState) -> str:
    """What the second of two reviewers is told: who changed the record, and that nothing of theirs was saved."""
    last = state.audit[-1] if state.audit else None
    who = f"{last.reviewer} 于 {last.at:%Y-%m-%d %H:%M:%S} UTC" if last else "其他审核人"
    return f"此报告已被 {who} 修改，你的操作没有保存。下面是最新内容，请重新判断。"


def parse_value(text: str) -> Number | None:
    """A reviewer's typed value: an integer, a decimal, or 空 / empty for unreadable."""
    cleaned = text.strip().replace(",", "").replace("，", "")
    if cleaned in ("", "空"):
        return None
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        number = float(cleaned)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise BadDecision(f"“{text.strip()}”不是数值")
    return number

