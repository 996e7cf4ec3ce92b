"""The export formats: JSONL (records with flags and review), CSV (one row per cell), narrative CSV
(one row per problem or remedy, with its themes), XLSX (a sheet per section, and one for the narrative)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from gxllm.console import write_atomically
from gxllm.export.records import ExportedRecord
from gxllm.record import Flag
from gxllm.store import to_flag
from gxllm.template import TEMPLATES, CellPath


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    narrative = "narrative"
    xlsx = "xlsx"


CSV_COLUMNS = ("document", "path", "agency", "year", "template", "section", "row", "column", "value", "flag_ids")
NARRATIVE_COLUMNS = ("document", "path", "agency", "year", "template", "list", "index", "item", "main_theme", "themes", "flag_ids")
SECTIONS = ("section2", "section3", "section4")


def _timestamp(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _flag(flag: Flag, status: str, decision: Any) -> dict[str, Any]:
    return {
        **flag.model_dump(mode="json", exclude_none=True),
        "status": status,
        "decided_by": decision.reviewer.username if decision else None,
        "decided_at": _timestamp(decision.created_at) if decision else None,
        "reason": decision.reason if decision else None,
    }


def record_json(item: ExportedRecord) -> dict[str, Any]:
    """The record (docs/record.md) at top level (comparable with gold), then evidence, flags, review and audit."""
    document, version = item.document, item.version
    return {
        **item.record.to_json(),
        "themes": item.themes,
        "evidence": version.evidence,
        "flags": [
            _flag(to_flag(row), decision.decision if decision else "open", decision) for row, decision in item.flags
        ],
        "review_status": document.review_status,
        "audit": [
            {
                "decision": d.decision,
                "flag": d.flag_fingerprint,
                "rule": d.rule,
                "cell": d.cell,
                "old_value": d.old_value,
                "new_value": d.new_value,
                "reason": d.reason,
                "reviewer": d.reviewer.username,
                "at": _timestamp(d.created_at),
            }
            for d in document.decisions
        ],
        "document": {
            "sha256": document.sha256,
            "paths": [p.path for p in document.paths],
            "kind": document.kind,
            "pages": document.pages,
        },
        "version": {"number": version.number, "kind": version.kind, "at": _timestamp(version.created_at)},
        "source": version.source,
    }


def write_jsonl(records: Iterable[ExportedRecord], out: Path) -> int:
    lines = [json.dumps(record_json(item), ensure_ascii=False) + "\n" for item in records]
    write_atomically(out, "".join(lines))
    return len(lines)


def _identity(item: ExportedRecord) -> list[Any]:
    """The columns that say which record a row belongs to: document, path, agency, year, template."""
    record = item.record
    return [item.document.sha256, item.path, record.agency, record.year, record.template]


def _cell_rows(item: ExportedRecord) -> Iterator[list[Any]]:
    """One row per table cell of ``item`` (CSV_COLUMNS)."""
    for path, value in item.record.cells():
        section, row, column = CellPath.parse(path)
        yield [*_identity(item), section, row, column, value, " ".join(item.flag_ids(path))]


def _narrative_rows(item: ExportedRecord) -> Iterator[list[Any]]:
    """One row per problem or remedy of ``item`` (NARRATIVE_COLUMNS)."""
    for name, i, text, themes in item.items():
        main = themes[0] if themes else None
        yield [*_identity(item), name, i, text, main, ";".join(themes), " ".join(item.flag_ids(f"{name}.{i}"))]


def _write_long(
    records: Iterable[ExportedRecord], out: Path, columns: tuple[str, ...], rows: Callable[[ExportedRecord], Iterator[list[Any]]]
) -> int:
    """A long-form CSV: ``rows`` of each record under ``columns``; the number of records."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for item in records:
        count += 1
        writer.writerows(rows(item))
    write_atomically(out, buffer.getvalue())
    return count


def write_csv(records: Iterable[ExportedRecord], out: Path) -> int:
    """Long form: one row per table cell of each record, with the flags that name the cell."""
    return _write_long(records, out, CSV_COLUMNS, _cell_rows)


def write_narrative(records: Iterable[ExportedRecord], out: Path) -> int:
    """Long form: one row per problem or remedy of each record, with its themes and the flags that name it."""
    return _write_long(records, out, NARRATIVE_COLUMNS, _narrative_rows)


def _section_columns(section: str) -> list[str]:
    """The union of both templates' column keys for ``section``, in template order."""
    keys: dict[str, None] = {}
    for template in TEMPLATES.values():
        for row in getattr(template, section).rows:
            keys.update(dict.fromkeys(column.key for column in row.columns))
    return list(keys)


def write_xlsx(records: Iterable[ExportedRecord], out: Path) -> int:
    """One sheet per section (a line per record and table row, a column per cell), then flags and audit."""
    workbook = Workbook(write_only=True)
    columns = {section: _section_columns(section) for section in SECTIONS}
    identity = ["document", "path", "agency", "year", "template"]
    sheets = {section: workbook.create_sheet(section) for section in SECTIONS}
    for section, sheet in sheets.items():
        sheet.append([*identity, "row", "row_label", *columns[section], "flag_ids"])
    narrative = workbook.create_sheet("narrative")
    narrative.append(list(NARRATIVE_COLUMNS))
    flags = workbook.create_sheet("flags")
    flags.append([*identity, "flag", "rule", "severity", "kind", "cells", "message", "status"])
    audit = workbook.create_sheet("audit")
    audit.append([*identity, "decision", "flag", "rule", "cell", "old_value", "new_value", "reason", "reviewer", "at"])
    count = 0
    for item in records:
        count += 1
        record, spec = item.record, item.record.spec
        ids = _identity(item)
        for section in SECTIONS if spec else ():
            table = getattr(spec, section)
            for row in table.rows:
                paths = {c.key: str(CellPath(section, row.key, c.key)) for c in row.columns}
                values = [record.cell(paths[key]) if key in paths else None for key in columns[section]]
                row_flags = sorted({f for path in paths.values() for f in item.flag_ids(path)})
                sheets[section].append([*ids, row.key, row.label, *values, " ".join(row_flags)])
        for line in _narrative_rows(item):
            narrative.append(line)
        for row, decision in item.flags:
            status = decision.decision if decision else "open"
            flags.append([*ids, row.fingerprint, row.rule, row.severity, row.kind, " ".join(row.cells), row.message, status])
        for d in item.document.decisions:
            audit.append([*ids, d.decision, d.flag_fingerprint, d.rule, d.cell, _cell(d.old_value), _cell(d.new_value),
                          d.reason, d.reviewer.username, _timestamp(d.created_at)])
    # Saved beside the target and renamed over it: a crash leaves no half workbook.
    partial = out.with_name(f".{out.name}.partial")
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(partial)
    os.replace(partial, out)
    return count


def _cell(value: Any) -> Any:
    """A JSON value as a spreadsheet cell: numbers and text as they are, anything else as JSON."""
    return value if value is None or isinstance(value, int | float | str) else json.dumps(value, ensure_ascii=False)


WRITERS = {
    ExportFormat.jsonl: write_jsonl,
    ExportFormat.csv: write_csv,
    ExportFormat.narrative: write_narrative,
    ExportFormat.xlsx: write_xlsx,
}
