"""read → normalise → segment → tables / narrative → validate, timed per stage."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from gxllm.document import NormalizedText, Segmented
from gxllm.errors import NotAReport
from gxllm.narrative import Narrative, extract_narrative
from gxllm.normalize import normalize
from gxllm.read import Source, load_source, read_document
from gxllm.record import Extraction, SourceInfo
from gxllm.segment import segment
from gxllm.settings import Settings
from gxllm.tables import TablesResult, read_tables
from gxllm.validate import validate

if TYPE_CHECKING:
    from gxllm.llm.client import LlmClient

# A report shows at least this many of its six section headings, or of its tables' row labels:
# one alone (总计, 行政复议) can appear in any notice.
_MIN_SECTIONS = 2
_MIN_ROW_LABELS = 2


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


def _as_source(source: Source | str | os.PathLike[str], settings: Settings) -> Source:
    """A report given by its path is read from the file (see :func:`~gxllm.read.load_source`)."""
    return source if isinstance(source, Source) else load_source(source, settings)


def read_normalized(source: Source | str | os.PathLike[str], settings: Settings) -> NormalizedText:
    """The normalised text of a report (its bytes, or its file): what evidence spans index into."""
    return normalize(read_document(_as_source(source, settings), settings), settings)


def _second_reading(
    segmented: Segmented, tables: TablesResult, narrative: Narrative, llm: LlmClient, *, table_choices: bool
) -> Narrative:
    """What the model adds where the rules were unsure: metadata the rules left
    missing, a choice among the readings the table's sums leave open (when
    ``table_choices``), and the narrative's missing lists, themes and fee. Every answer is checked against
    the source before it is taken; nothing the rules read is taken away."""
    from gxllm.llm.narrative import add_to_narrative
    from gxllm.llm.readings import choose_readings
    from gxllm.llm.tasks import resolve_metadata

    record, evidence = tables.record, tables.evidence
    if record.agency is None or record.year is None:
        metadata = resolve_metadata(
            segmented,
            llm,
            agencies=[record.agency] if record.agency else [],
            years=[record.year] if record.year else [],
        )
        if metadata is not None:
            for field in ("agency", "year"):
                if getattr(record, field) is None and getattr(metadata, field) is not None:
                    setattr(record, field, getattr(metadata, field))
                    evidence[field] = metadata.evidence[field]
    if table_choices:
        for path, chosen in choose_readings(segmented, tables.open_choices, llm).items():
            if record.cell(path) is None:
                record.set_cell(path, chosen.value)
                evidence[path] = chosen.evidence
    return add_to_narrative(segmented, narrative, llm)


def _check_is_report(segmented: Segmented) -> None:
    if len(segmented.sections) < _MIN_SECTIONS and segmented.row_labels < _MIN_ROW_LABELS:
        raise NotAReport("no sections or table labels of a 政府信息公开工作年度报告 found")
    if segmented.template is None:
        raise NotAReport("cannot tell the template: the tables print no template labels and no year is given")


def extract(source: Source | str | os.PathLike[str], *, settings: Settings, llm: LlmClient | None = None) -> Extraction:
    """Extract and validate one report: its bytes and name, or its file.

    ``llm`` is the language model the caller opened (:func:`gxllm.llm.open_client`)
    for the rules' second reading; None keeps every model out of the run.
    """
    timings: dict[str, float] = {}
    with _timed(timings, "read"):
        document = read_document(_as_source(source, settings), settings)
        normalized = normalize(document, settings)
        segmented = segment(normalized)
        _check_is_report(segmented)
    with _timed(timings, "tables"):
        tables = read_tables(segmented)
    record, evidence = tables.record, tables.evidence
    record.agency = segmented.agency
    record.year = segmented.year
    evidence.update(segmented.evidence)
    with _timed(timings, "narrative"):
        narrative = extract_narrative(segmented)
    with _timed(timings, "llm"):
        if llm is not None:
            narrative = _second_reading(segmented, tables, narrative, llm, table_choices=settings.llm_table_choices)
    record.problems = narrative.problems
    record.remedies = narrative.remedies
    record.fee = narrative.fee
    evidence.update(narrative.evidence)
    with _timed(timings, "validate"):
        flags = validate(record, evidence=evidence, source_text=normalized.text)
    read_from = SourceInfo(
        path=document.path, sha256=document.sha256, kind=document.kind, encoding=document.encoding, pages=document.pages
    )
    return Extraction(
        record=record,
        themes=narrative.themes,
        evidence=evidence,
        flags=flags,
        source=read_from,
        timings=timings,
        text=normalized.text,
    )
