"""The review queue: documents with their open flags, worst and most first, filtered, with counts.

A flag is open while no ``confirmed_source`` or ``dismissed`` decision names
its fingerprint (:func:`gxllm.store.flag_states` says the same for one
document); here it is one query over every document, so the queue stays one
round trip however many reports the store holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from gxllm.narrative.taxonomy import THEME_NAMES
from gxllm.service.names import KIND_NAMES, RECORD_STATUS_NAMES
from gxllm.store import FlagRow, ItemTheme, ReviewDecision, StoredDocument
from gxllm.store.flags import CLOSING_DECISIONS

SEVERITIES = ("error", "warning", "info")
KINDS = ("source", "extraction", "missing")
STATUSES = ("open", "reviewed", "clean", "unread")
PAGE_SIZE = 100


@dataclass(frozen=True)
class QueueFilters:
    agency: str | None = None
    year: int | None = None
    template: str | None = None
    rule: str | None = None
    kind: str | None = None
    theme: str | None = None  # a theme of one of the record's problems or remedies
    status: str | None = "open"  # None: every status


@dataclass(frozen=True)
class QueueRow:
    record_id: int
    agency: str | None
    year: int | None
    template: str | None
    status: str
    updated: datetime
    by_severity: list[tuple[str, int]]
    rules: list[str]
    kinds: list[str]

    @property
    def open_flags(self) -> int:
        return sum(count for _, count in self.by_severity)


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    options: list[FacetOption]


@dataclass(frozen=True)
class QueueCounts:
    records: int  # documents matching the filters
    open_records: int  # of those, with an open flag
    open_flags: int


@dataclass(frozen=True)
class Queue:
    rows: list[QueueRow]
    counts: QueueCounts
    facets: list[Facet] = field(default_factory=list)


def flag_is_open() -> object:
    """A flag row that no closing decision names: the condition the queue and the dashboard count by."""
    closed = exists().where(
        ReviewDecision.document_id == StoredDocument.id,
        ReviewDecision.flag_fingerprint == FlagRow.fingerprint,
        ReviewDecision.decision.in_(CLOSING_DECISIONS),
    )
    return ~closed


def document_conditions(filters: QueueFilters, *, skip: str = "") -> list[object]:
    """Conditions on documents for ``filters``, leaving out the facet ``skip`` (its own counts)."""
    conditions: list[object] = [StoredDocument.current_version_id.is_not(None)]
    if filters.agency:
        conditions.append(StoredDocument.agency.contains(filters.agency, autoescape=True))
    if filters.year is not None and skip != "year":
        conditions.append(StoredDocument.year == filters.year)
    if filters.template and skip != "template":
        conditions.append(StoredDocument.template == filters.template)
    if filters.status and skip != "status":
        conditions.append(StoredDocument.review_status == filters.status)
    # A flag of its own, not correlated with the flags the outer query may be counting.
    candidate = aliased(FlagRow)
    flag_conditions = []
    if filters.rule and skip != "rule":
        flag_conditions.append(candidate.rule == filters.rule)
    if filters.kind and skip != "kind":
        flag_conditions.append(candidate.kind == filters.kind)
    if flag_conditions:
        conditions.append(
            exists().where(candidate.record_version_id == StoredDocument.current_version_id, *flag_conditions)
        )
    if filters.theme and skip != "theme":
        conditions.append(
            exists().where(ItemTheme.record_version_id == StoredDocument.current_version_id, ItemTheme.theme == filters.theme)
        )
    return conditions


def load_queue(session: Session, filters: QueueFilters, *, page: int = 0) -> Queue:
    conditions = document_conditions(filters)
    rows = queue_rows(session, conditions, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    return Queue(rows=rows, counts=_counts(session, conditions), facets=_facets(session, filters))


def next_open_record(session: Session, after: int) -> int | None:
    """The record a reviewer should open after ``after``: the head of the open queue."""
    conditions = [*document_conditions(QueueFilters()), StoredDocument.id != after]
    rows = queue_rows(session, conditions, limit=1, offset=0)
    return rows[0].record_id if rows else None


def queue_rows(session: Session, conditions: list[object], *, limit: int, offset: int) -> list[QueueRow]:
    """Documents meeting ``conditions``: the worst open flag first, then the most open flags."""
    open_flag = and_(FlagRow.record_version_id == StoredDocument.current_version_id, flag_is_open())
    per_severity = {
        severity: func.count(case((and_(open_flag, FlagRow.severity == severity), FlagRow.id)))
        for severity in SEVERITIES
    }
    total_open = func.count(case((open_flag, FlagRow.id)))
    worst = func.min(
        case(
            *((and_(open_flag, FlagRow.severity == s), rank) for rank, s in enumerate(SEVERITIES)),
            else_=len(SEVERITIES),
        )
    )
    query = (
        select(StoredDocument, total_open.label("open"), *per_severity.values())
        .outerjoin(FlagRow, FlagRow.record_version_id == StoredDocument.current_version_id)
        .where(*conditions)
        .group_by(StoredDocument.id)
        .order_by(worst, total_open.desc(), StoredDocument.updated_at.desc(), StoredDocument.id)
        .limit(limit)
        .offset(offset)
    )
    results = session.execute(query).all()
    ids = [document.id for document, *_ in results]
    rules: dict[int, set[str]] = {i: set() for i in ids}
    kinds: dict[int, set[str]] = {i: set() for i in ids}
    for document_id, rule, kind in session.execute(
        select(StoredDocument.id, FlagRow.rule, FlagRow.kind)
        .join(FlagRow, FlagRow.record_version_id == StoredDocument.current_version_id)
        .where(StoredDocument.id.in_(ids), flag_is_open())
        .distinct()
    ):
        rules[document_id].add(rule)
        kinds[document_id].add(kind)
    return [
        QueueRow(
            record_id=document.id,
            agency=document.agency,
            year=document.year,
            template=document.template,
            status=document.review_status,
            updated=document.updated_at,
            by_severity=[(s, n) for s, n in zip(SEVERITIES, counts, strict=True) if n],
            rules=sorted(rules[document.id]),
            kinds=[k for k in KINDS if k in kinds[document.id]],
        )
        for document, _open, *counts in results
    ]


def _counts(session: Session, conditions: list[object]) -> QueueCounts:
    records = session.scalar(select(func.count(StoredDocument.id)).where(*conditions)) or 0
    open_records = (
        session.scalar(select(func.count(StoredDocument.id)).where(*conditions, StoredDocument.review_status == "open")) or 0
    )
    open_flags = (
        session.scalar(
            select(func.count(FlagRow.id))
            .join(StoredDocument, FlagRow.record_version_id == StoredDocument.current_version_id)
            .where(*conditions, flag_is_open())
        )
        or 0
    )
    return QueueCounts(records, open_records, open_flags)


def _facets(session: Session, filters: QueueFilters) -> list[Facet]:
    """Each filter's choices, counted over the documents the other filters leave."""

    def documents(column: object, skip: str) -> list[tuple[object, int]]:
        return list(
            session.execute(
                select(column, func.count(StoredDocument.id))
                .where(*document_conditions(filters, skip=skip), column.is_not(None))  # type: ignore[attr-defined]
                .group_by(column)
                .order_by(column)
            )
        )

    def flagged(column: object, skip: str) -> list[tuple[object, int]]:
        return list(
            session.execute(
                select(column, func.count(func.distinct(StoredDocument.id)))
                .select_from(FlagRow)
                .join(StoredDocument, FlagRow.record_version_id == StoredDocument.current_version_id)
                .where(*document_conditions(filters, skip=skip))
                .group_by(column)
                .order_by(column)
            )
        )

    def themed() -> list[tuple[object, int]]:
        counts = dict(
            session.execute(
                select(ItemTheme.theme, func.count(func.distinct(StoredDocument.id)))
                .join(StoredDocument, ItemTheme.record_version_id == StoredDocument.current_version_id)
                .where(*document_conditions(filters, skip="theme"))
                .group_by(ItemTheme.theme)
            ).all()
        )
        return [(theme, counts[theme]) for theme in THEME_NAMES if theme in counts]  # the taxonomy's order

    def options(pairs: list[tuple[object, int]], chosen: object, names: dict[str, str] | None = None) -> list[FacetOption]:
        return [
            FacetOption(str(value), (names or {}).get(str(value), str(value)), count, str(value) == str(chosen))
            for value, count in pairs
        ]

    status_counts = dict(documents(StoredDocument.review_status, "status"))
    return [
        Facet("year", "年度", options(documents(StoredDocument.year, "year"), filters.year)),
        Facet("template", "模板", options(documents(StoredDocument.template, "template"), filters.template)),
        Facet("rule", "规则", options(flagged(FlagRow.rule, "rule"), filters.rule)),
        Facet("kind", "类别", options(flagged(FlagRow.kind, "kind"), filters.kind, KIND_NAMES)),
        Facet("theme", "主题", options(themed(), filters.theme)),
        Facet(
            "status",
            "状态",
            [
                FacetOption(s, RECORD_STATUS_NAMES[s], status_counts.get(s, 0), s == filters.status)
                for s in STATUSES
                if s in status_counts or s == filters.status
            ],
        ),
    ]
