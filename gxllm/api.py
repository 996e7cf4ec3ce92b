"""The Python API: read a report, check a record, analyse a store (``docs/api.md``).

``import gxllm`` loads none of this; each name is imported on first use
(see ``gxllm/__init__.py``), so the package stays cheap to import.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from gxllm.record import Evidence, Extraction, Flag, Record
from gxllm.settings import Settings, get_settings

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.orm import Session, sessionmaker

    from gxllm.export.records import ExportedRecord

__all__ = ["Store", "extract", "open_store", "validate"]

RecordLike = Extraction | Record | Mapping[str, Any]


def extract(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    use_llm: bool | None = None,
    settings: Settings | None = None,
) -> Extraction:
    """Read one report and return its record, with evidence and the validator's flags.

    ``source`` is a path (``.txt``, ``.html``, ``.pdf``, ``.png``, ``.jpg``,
    ``.tif``…) or the file's bytes; bytes need ``name``, the file name they
    came under, whose suffix says how to read them (``name="report.pdf"``).
    ``use_llm`` False keeps any language model out, True or None uses the one
    configured (``GXLLM_LLM_RUNTIME``), loaded for this call. ``settings``
    replaces the ``GXLLM_*`` environment. Raises
    :class:`gxllm.errors.GxllmError` subclasses for a file that cannot be read
    or is not a report, with the reason, and :class:`gxllm.errors.ConfigError`
    when gxllm is set up wrong (a setting, a model, an OCR engine).

    ``Extraction.record`` is the record of ``docs/record.md``;
    ``Extraction.to_output()`` is what ``gxllm extract`` writes.
    """
    from gxllm.llm import open_client
    from gxllm.pipeline import extract as run_pipeline
    from gxllm.read import Source

    if isinstance(source, bytes):
        if not name:
            raise ValueError("extract(bytes) needs name=, the file name the bytes came under (e.g. 'report.pdf')")
        source = Source(name, source)
    settings = settings or get_settings()
    if use_llm is False:
        settings = settings.without_model()
    return run_pipeline(source, settings=settings, llm=open_client(settings))


def _parts(record: RecordLike) -> tuple[Record, dict[str, Evidence], str | None, dict[str, Any] | None]:
    """The record, its evidence, the source text its spans index into, and the JSON it was read from."""
    if isinstance(record, Extraction):
        return record.record, record.evidence, record.text, None
    if isinstance(record, Record):
        return record, {}, None, None
    from gxllm.validate.cli import record_from_json

    parsed, evidence, raw = record_from_json(dict(record))
    return parsed, evidence, None, raw


def validate(
    record: RecordLike,
    previous: RecordLike | None = None,
    *,
    source: str | os.PathLike[str] | None = None,
) -> list[Flag]:
    """Check a record against every rule of ``docs/record.md`` §3; the flags, in report order.

    ``record`` is an :class:`Extraction` (from :func:`extract`), a
    :class:`Record`, or a record as JSON (a dict, as a gold file or
    ``gxllm extract`` output holds it). ``previous`` is the same agency's
    record of the year before, for the CROSS_YEAR rule. ``source`` is the
    report the record was read from: its values are then checked against the
    text (an extraction carries its text already), which tells the report's
    own errors (``kind`` "source") apart from misreadings ("extraction").
    """
    from gxllm.validate import validate as run_rules

    checked, evidence, text, raw = _parts(record)
    if source is not None:
        from gxllm.pipeline import read_normalized

        text = read_normalized(source, get_settings()).text
    earlier = _parts(previous)[0] if previous is not None else None
    return run_rules(checked, evidence=evidence, source_text=text, raw=raw, previous=earlier)


class Store:
    """A store of extracted and reviewed records, read as pandas DataFrames in long form.

    Each frame holds the current record of every document (its latest
    correction, if a reviewer made one) and starts with ``record_id``,
    ``agency``, ``year`` and ``template``. Use it as a context manager, or
    call :meth:`close`, to let go of the database.
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def _frame(self, build: Callable[[Iterable[ExportedRecord]], pd.DataFrame]) -> pd.DataFrame:
        from gxllm.export.records import exported_records

        with self._sessions() as session:
            return build(exported_records(session))

    def records(self) -> pd.DataFrame:
        """One row per record: ``sha256``, ``path``, ``review_status``, ``version``, ``open_flags``, and the
        fee statement (``fee_charged``, ``fee_amount_yuan``, ``fee_text``)."""
        from gxllm.export.frames import records_frame

        return self._frame(records_frame)

    def cells(self) -> pd.DataFrame:
        """One row per table cell: ``cell`` (``section3.new.total``), ``section``, ``row``, ``column``,
        their printed labels, ``kind`` (count, signed, money) and ``value`` (<NA> where unread)."""
        from gxllm.export.frames import cells_frame

        return self._frame(cells_frame)

    def flags(self) -> pd.DataFrame:
        """One row per flag of the current records: ``rule``, ``severity``, ``kind`` (source, extraction,
        missing), ``cells``, ``message``, and the review: ``status`` (open, confirmed_source, dismissed),
        ``decided_by``, ``decided_at``, ``reason``."""
        from gxllm.export.frames import flags_frame

        return self._frame(flags_frame)

    def items(self) -> pd.DataFrame:
        """One row per item of section 五: ``part`` (problems or remedies), ``position`` (from 1), ``text``."""
        from gxllm.export.frames import items_frame

        return self._frame(items_frame)

    def close(self) -> None:
        self._sessions.kw["bind"].dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _error: BaseException | None, _traceback: TracebackType | None
    ) -> None:
        self.close()


def open_store(url: str | os.PathLike[str]) -> Store:
    """The store at ``url``: a database URL (``sqlite:///gxllm.db``, ``postgresql://user@host/db``)
    or the path of a SQLite file that ``gxllm batch`` or ``gxllm serve`` wrote.

    The store is brought up to the current schema, as every gxllm command does.
    """
    from gxllm.store import open_store as open_sessions

    target = os.fspath(url)
    if "://" not in target:
        path = Path(target)
        if not path.is_file():
            raise FileNotFoundError(f"no store at {path}: give the .db file gxllm wrote, or a database URL")
        target = f"sqlite:///{path.resolve()}"
    return Store(open_sessions(target))
