"""What the record page shows, as plain data: the tables, driven from the
template, and the source text cut at every evidence span.

Nothing here produces markup: the templates do, with autoescaping, so text
from a report can never become HTML.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gxllm.labels import row_label
from gxllm.record import Evidence, Flag, Number, Record, Severity
from gxllm.service.names import DECISION_NAMES
from gxllm.service.pages import flagged_boxes, source_file
from gxllm.service.review import RecordState
from gxllm.template import CellPath, Column
from gxllm.validate.messages import show

SEVERITY_ORDER: dict[Severity, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class CellView:
    path: str
    shown: str
    is_null: bool
    severity: Severity | None  # of the worst open flag naming this cell
    corrected: bool


@dataclass(frozen=True)
class RowView:
    label: str
    cells: list[CellView | None]  # one per table column; None where the row has no such column


@dataclass(frozen=True)
class TableView:
    title: str
    columns: list[Column]
    rows: list[RowView]


def worst_severity(flags: Iterable[Flag]) -> dict[str, Severity]:
    """Each cell named by ``flags``, with the most severe of their severities."""
    worst: dict[str, Severity] = {}
    for flag in flags:
        for path in flag.cells:
            if path not in worst or SEVERITY_ORDER[flag.severity] < SEVERITY_ORDER[worst[path]]:
                worst[path] = flag.severity
    return worst


def table_views(record: Record, open_flags: list[Flag], corrected: set[str]) -> list[TableView]:
    """Sections 二, 三 and 四 as the template prints them, flagged and corrected cells marked."""
    spec = record.spec
    if spec is None:
        return []
    flagged = worst_severity(open_flags)
    views = []
    for table in spec.tables:
        columns: list[Column] = []
        for row in table.rows:
            columns += [c for c in row.columns if c not in columns]
        rows = []
        for row in table.rows:
            own = {c.key for c in row.columns}
            cells: list[CellView | None] = []
            for column in columns:
                if column.key not in own:
                    cells.append(None)
                    continue
                path = str(CellPath(table.section, row.key, column.key))
                value: Number | None = record.cell(path)
                cells.append(CellView(path, show(value), value is None, flagged.get(path), path in corrected))
            rows.append(RowView(row_label(spec, table.section, row.key), cells))
        views.append(TableView(table.title, columns, rows))
    return views


@dataclass(frozen=True)
class Piece:
    """A run of the source text; ``path`` names the value (or flag) it is evidence for."""

    text: str
    path: str | None = None
    flagged: bool = False


def flag_evidence_key(flag: Flag, index: int) -> str:
    """The key under which a flag's own evidence (a sentence of prose, say) is marked in the source."""
    return f"flag:{flag.fingerprint}:{index}"


def source_pieces(text: str, evidence: dict[str, Evidence], open_flags: list[Flag]) -> list[Piece]:
    """``text`` cut into runs at every evidence span; spans of flagged values are marked.

    Spans that overlap one already placed are left out: a piece of text is
    evidence for one value on the page.
    """
    flagged = {path for flag in open_flags for path in flag.cells}
    spans: dict[tuple[int, int], str] = {}
    for path, item in evidence.items():
        if item.span is not None:
            spans.setdefault(item.span, path)
    for flag in open_flags:
        for index, item in enumerate(flag.evidence):
            if item.span is not None:
                key = flag_evidence_key(flag, index)
                spans.setdefault(item.span, key)
                flagged.add(key)
    pieces: list[Piece] = []
    position = 0
    for (start, end), path in sorted(spans.items()):
        if start < position or end > len(text) or start >= end:
            continue
        if start > position:
            pieces.append(Piece(text[position:start]))
        pieces.append(Piece(text[start:end], path, path in flagged))
        position = end
    if position < len(text):
        pieces.append(Piece(text[position:]))
    return pieces


def flag_paths(flag: Flag) -> list[str]:
    """What a flag card highlights when chosen: its cells and its own evidence in the source."""
    return list(flag.cells) + [flag_evidence_key(flag, i) for i, e in enumerate(flag.evidence) if e.span is not None]


# ---------------------------------------------------------------- the record page

# Fields besides the template's cells that a reviewer may correct from a flag.
_CORRECTABLE_FIELDS = ("year", "fee.amount_yuan")
# At most this many page images on one record page; the text below still shows every span.
_IMAGE_PAGES = 4


@dataclass(frozen=True)
class FlagItem:
    flag: Flag
    status: str
    paths: list[str]
    suspect_label: str | None
    decision: str | None  # who closed the flag, when and why
    correctable: list[tuple[str, str]]  # (path, label) of the cells a correction may set

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class AuditRow:
    at: str
    reviewer: str
    action: str
    cell: str
    old: str
    new: str
    reason: str


@dataclass(frozen=True)
class RecordPage:
    record_id: int
    lock: int
    version: int
    agency: str | None
    year: int | None
    template: str | None
    filename: str
    flags: list[FlagItem]
    image_pages: list[int]  # pages of a PDF or scan with flagged boxes, shown as images
    tables: list[TableView]
    pieces: list[Piece]
    audit: list[AuditRow]
    open_count: int
    next_record_id: int | None
    current: str | None  # fingerprint of the flag to select
    conflict: str | None = None
    notice: str | None = None


def _when(moment: datetime) -> str:
    """The store's times are UTC (SQLite hands them back without a zone)."""
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or isinstance(value, int | float):
        return show(value)
    return str(value)


def record_page(
    state: RecordState,
    *,
    next_record_id: int | None,
    current: str | None = None,
    conflict: str | None = None,
    notice: str | None = None,
) -> RecordPage:
    extraction = state.extraction
    record = extraction.record
    numeric = set(record.spec.cell_paths() if record.spec else ()) | set(_CORRECTABLE_FIELDS)
    items = []
    for flag_state in sorted(state.flags, key=lambda s: (s.closed_by is not None, SEVERITY_ORDER[s.flag.severity])):
        flag, closed = flag_state.flag, flag_state.closed_by
        decision = None
        if closed is not None:
            decision = f"{DECISION_NAMES[closed.decision]} · {closed.reviewer.username} · {_when(closed.created_at)}"
            decision += f" · {closed.reason}" if closed.reason else ""
        items.append(
            FlagItem(
                flag=flag,
                status=flag_state.status,
                paths=flag_paths(flag),
                suspect_label=state.label(flag.suspect) if flag.suspect else None,
                decision=decision,
                correctable=[(path, state.label(path)) for path in flag.cells if path in numeric],
            )
        )
    open_items = [item for item in items if item.is_open]
    if current is None or not any(item.flag.fingerprint == current for item in open_items):
        current = open_items[0].flag.fingerprint if open_items else None
    return RecordPage(
        record_id=state.document.id,
        lock=state.lock,
        version=state.version_number,
        agency=record.agency,
        year=record.year,
        template=record.template,
        filename=Path(extraction.source.path).name,
        flags=items,
        image_pages=list(flagged_boxes(extraction.evidence, state.open_flags))[:_IMAGE_PAGES]
        if source_file(state.document) is not None
        else [],
        tables=table_views(record, state.open_flags, state.corrected_cells),
        pieces=source_pieces(state.document.text or "", extraction.evidence, state.open_flags),
        audit=[
            AuditRow(
                at=_when(entry.at),
                reviewer=entry.reviewer,
                action=DECISION_NAMES.get(entry.decision, entry.decision),
                cell=state.label(entry.cell) if entry.cell else (entry.rule or ""),
                old=_shown(entry.old) if entry.decision == "corrected" else "",
                new=_shown(entry.new) if entry.decision == "corrected" else "",
                reason=entry.reason or "",
            )
            for entry in reversed(state.audit)
        ],
        open_count=len(open_items),
        next_record_id=next_record_id,
        current=current,
        conflict=conflict,
        notice=notice,
    )
