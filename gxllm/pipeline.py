"""read → normalise → segment → tables / narrative → validate, timed per stage."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gxllm.document import NormalizedText, Segmented
from gxllm.errors import NotAReport
from gxllm.narrative import extract_narrative
from gxllm.normalize import normalize
from gxllm.read import read_document
from gxllm.record import Extraction, SourceInfo
from gxllm.segment import segment
from gxllm.settings import Settings, get_settings
from gxllm.tables import read_tables
from gxllm.validate import validate

# A report has at least this many of its six section headings.
_MIN_SECTIONS = 2


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


def read_normalized(path: str | Path, settings: Settings | None = None) -> NormalizedText:
    """The normalised text of a source file: what evidence spans index into."""
    settings = settings or get_settings()
    return normalize(read_document(path, settings), settings)


def _check_is_report(segmented: Segmented) -> None:
    if len(segmented.sections) < _MIN_SECTIONS and segmented.template is None:
        raise NotAReport("no sections or table labels of a 政府信息公开工作年度报告 found")
    if segmented.template is None:
        raise NotAReport("cannot tell the template: the tables print no template labels and no year is given")


def extract(path: str | Path, *, settings: Settings | None = None, use_llm: bool | None = None) -> Extraction:
    """Extract and validate one report file.

    ``use_llm`` False keeps every language model out of the run, whatever the
    configuration says.
    """
    settings = settings or get_settings()
    timings: dict[str, float] = {}
    with _timed(timings, "read"):
        document = read_document(path, settings)
        normalized = normalize(document, settings)
        segmented = segment(normalized)
        _check_is_report(segmented)
    with _timed(timings, "tables"):
        record, evidence, _notes = read_tables(segmented)
    record.agency = segmented.agency
    record.year = segmented.year
    evidence.update(segmented.evidence)
    with _timed(timings, "narrative"):
        narrative = extract_narrative(segmented)
    record.problems = narrative.problems
    record.remedies = narrative.remedies
    record.fee = narrative.fee
    evidence.update(narrative.evidence)
    with _timed(timings, "validate"):
        flags = validate(record, evidence=evidence, source_text=normalized.text)
    source = SourceInfo(
        path=str(path), sha256=document.sha256, kind=document.kind, encoding=document.encoding, pages=document.pages
    )
    return Extraction(
        record=record, evidence=evidence, flags=flags, source=source, timings=timings, text=normalized.text
    )
