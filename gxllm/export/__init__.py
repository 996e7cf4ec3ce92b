"""``gxllm export``: the store's current records as JSONL, CSV or XLSX.

- JSONL: one line per document, the record (docs/record.md) at top level (so it
  compares with gold), then ``evidence``, ``flags`` (each with ``status``
  open | confirmed_source | dismissed and who decided), ``review_status``,
  ``audit`` (every decision: cell, old and new value, reviewer, time),
  ``document`` (sha256, paths), ``version`` and ``source``.
- CSV: long form, one row per table cell: document (sha256), path, agency,
  year, template, section, row, column, value (empty when null), flag_ids
  (fingerprints of the flags naming the cell, space-separated).
- narrative (CSV): one row per problem or remedy: document, path, agency,
  year, template, list, index, item, main_theme, themes (";"-joined, main
  first), flag_ids (the flags naming the item: NARRATIVE_REPEATED, …).
- XLSX: a sheet per section (section2, section3, section4) with a line per
  record and table row and a column per cell key, then ``narrative`` (as the
  narrative CSV), ``flags`` and ``audit``.

JSONL holds each record's ``themes`` beside its problems and remedies.
"""

from gxllm.export.formats import ExportFormat, write_csv, write_jsonl, write_narrative, write_xlsx
from gxllm.export.records import ExportedRecord, exported_records

__all__ = ["ExportFormat", "ExportedRecord", "exported_records", "write_csv", "write_jsonl", "write_narrative", "write_xlsx"]
