"""The store's current records as pandas DataFrames in long form (what ``gxllm.open_store`` gives).

One row per record, per table cell, per flag, or per narrative item. Every
frame starts with ``record_id`` (the document's id in the store, as in the
review app's ``/records/ID``) and the record's ``agency``, ``year`` and
``template``, so the frames join on ``record_id`` and filter alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from gxllm.export.records import ExportedRecord
from gxllm.template import CellPath

IDENTITY = {"record_id": "int64", "agency": "object", "year": "Int64", "template": "object"}
RECORD_COLUMNS = {
    **IDENTITY,
    "sha256": "object",
    "path": "object",
    "review_status": "object",
    "version": "int64",
    "open_flags": "int64",
    "fee_charged": "boolean",
    "fee_amount_yuan": "Float64",
    "fee_text": "object",
}
CELL_COLUMNS = {
    **IDENTITY,
    "cell": "object",
    "section": "object",
    "row": "object",
    "column": "object",
    "row_label": "object",
    "column_label": "object",
    "kind": "object",
    # Counts and money alike; null cells are <NA>, never 0.
    "value": "Float64",
}
FLAG_COLUMNS = {
    **IDENTITY,
    "fingerprint": "object",
    "rule": "object",
    "severity": "object",
    "kind": "object",
    "cells": "object",
    "message": "object",
    "expected": "object",
    "found": "object",
    "suspect": "object",
    "suggestion": "Float64",
    "status": "object",
    "decided_by": "object",
    "decided_at": "object",
    "reason": "object",
}
ITEM_COLUMNS = {**IDENTITY, "part": "object", "position": "int64", "text": "object"}
NARRATIVE_PARTS = ("problems", "remedies")


def _frame(rows: list[dict[str, Any]], columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)


def _identity(item: ExportedRecord) -> dict[str, Any]:
    record = item.record
    return {"record_id": item.document.id, "agency": record.agency, "year": record.year, "template": record.template}


def records_frame(items: Iterable[ExportedRecord]) -> pd.DataFrame:
    """One row per record: where it came from, its review state, the fee statement."""
    rows = [
        {
            **_identity(item),
            "sha256": item.document.sha256,
            "path": item.path,
            "review_status": item.document.review_status,
            "version": item.version.number,
            "open_flags": sum(decision is None for _, decision in item.flags),
            "fee_charged": item.record.fee.charged,
            "fee_amount_yuan": item.record.fee.amount_yuan,
            "fee_text": item.record.fee.text,
        }
        for item in items
    ]
    return _frame(rows, RECORD_COLUMNS)


def cells_frame(items: Iterable[ExportedRecord]) -> pd.DataFrame:
    """One row per table cell of each record's template, with its labels; ``value`` is <NA> where unread."""
    rows = []
    for item in items:
        spec = item.record.spec
        if spec is None:
            continue
        values = dict(item.record.cells())
        identity = _identity(item)
        for table in spec.tables:
            for row in table.rows:
                for column in row.columns:
                    path = str(CellPath(table.section, row.key, column.key))
                    rows.append({
                        **identity, "cell": path, "section": table.section, "row": row.key, "column": column.key,
                        "row_label": row.label, "column_label": column.label, "kind": column.kind, "value": values[path],
                    })
    return _frame(rows, CELL_COLUMNS)


def flags_frame(items: Iterable[ExportedRecord]) -> pd.DataFrame:
    """One row per flag of each current record: the finding, and ``status`` open, confirmed_source or dismissed."""
    rows = [
        {
            **_identity(item),
            "fingerprint": flag.fingerprint, "rule": flag.rule, "severity": flag.severity, "kind": flag.kind,
            "cells": list(flag.cells), "message": flag.message, "expected": flag.expected, "found": flag.found,
            "suspect": flag.suspect, "suggestion": flag.suggestion,
            "status": decision.decision if decision else "open",
            "decided_by": decision.reviewer.username if decision else None,
            "decided_at": decision.created_at if decision else None,
            "reason": decision.reason if decision else None,
        }
        for item in items
        for flag, decision in item.flags
    ]
    return _frame(rows, FLAG_COLUMNS)


def items_frame(items: Iterable[ExportedRecord]) -> pd.DataFrame:
    """One row per item of section 五: ``part`` problems or remedies, ``position`` from 1."""
    # TODO(issue 13): once records carry a theme per item, each row here gets its themes.
    rows = [
        {**_identity(item), "part": part, "position": position, "text": text}
        for item in items
        for part in NARRATIVE_PARTS
        for position, text in enumerate(getattr(item.record, part), start=1)
    ]
    return _frame(rows, ITEM_COLUMNS)
