"""The Python API (docs/api.md): its examples run as written, import is cheap, and the frames are the store."""

from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

import gxllm
from gxllm.record import Record
from gxllm.service.queue import QueueFilters, load_queue
from gxllm.store import (
    RecordVersion,
    StoredDocument,
    correct,
    decide,
    find_user,
    open_flags,
)
from gxllm.store import open_store as open_sessions
from tests.service_reports import ReviewStore

pytest_plugins = ["tests.service_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "api.md"
SEED = ROOT / "fixtures" / "seeds" / "lianyun-gov-2024.txt"


def test_the_examples_of_docs_api_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    commands = re.findall(r"```bash\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert commands == ["gxllm batch fixtures/seeds --db sqlite:///seeds.db --no-llm\n"]
    for command in commands:
        ran = subprocess.run(["bash", "-euc", command], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
        assert ran.returncode == 0, ran.stderr
    monkeypatch.chdir(tmp_path)
    result = doctest.testfile(str(DOC), module_relative=False, encoding="utf-8", report=True)
    assert result.failed == 0
    assert result.attempted >= 30


def test_import_gxllm_loads_no_dependency() -> None:
    probe = "import json, sys, gxllm; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout))
    assert sorted(name for name in loaded if name.startswith("gxllm")) == ["gxllm"]
    assert not loaded & {"pandas", "numpy", "pydantic", "sqlalchemy", "fastapi", "typer"}
    assert set(gxllm.__all__) - {"__version__"} == {"extract", "validate", "open_store", "Store", "Extraction", "Flag", "Record"}
    assert set(gxllm.__all__) <= set(dir(gxllm))


def test_the_validate_function_stays_when_the_validate_package_is_imported() -> None:
    import gxllm.validate  # the subpackage, by the same name

    assert gxllm.validate.__module__ == "gxllm.api"
    assert sys.modules["gxllm.validate"].validate.__module__ == "gxllm.validate"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = gxllm.nothing  # type: ignore[attr-defined]


def test_extract_of_bytes_needs_the_name_they_came_under() -> None:
    with pytest.raises(ValueError, match="needs name="):
        gxllm.extract(SEED.read_bytes())


def _current_records(url: str) -> dict[int, Record]:
    """Each document's current record, read straight from the store's tables."""
    sessions = open_sessions(url)
    with sessions() as session:
        rows = session.execute(
            select(StoredDocument.id, RecordVersion.record).join(RecordVersion, RecordVersion.id == StoredDocument.current_version_id)
        ).all()
    sessions.kw["bind"].dispose()
    return {document_id: Record.model_validate(record) for document_id, record in rows}


def _open_flags_in_queue(url: str) -> int:
    """Open flags over the whole store, as the review queue counts them."""
    sessions = open_sessions(url)
    with sessions() as session:
        counted = load_queue(session, QueueFilters(status=None)).counts.open_flags
    sessions.kw["bind"].dispose()
    return counted


def test_the_frames_hold_the_stores_current_records_cell_for_cell(review_store: ReviewStore) -> None:
    expected = _current_records(review_store.url)
    with gxllm.open_store(review_store.url.removeprefix("sqlite:///")) as store:
        cells, records = store.cells(), store.records()
    assert sorted(records.record_id) == sorted(expected) == sorted(review_store.ids.values())
    assert len(cells) == sum(len(list(record.cells())) for record in expected.values())
    read = {(i, path): None if pd.isna(value) else value
            for i, path, value in zip(cells.record_id, cells.cell, cells.value.astype(object), strict=True)}
    assert read == {(i, path): value for i, record in expected.items() for path, value in record.cells()}
    # Sums over the store, as a user would take them.
    lianyun = expected[review_store.ids["lianyun-gov-2024.unbalanced"]]
    assert lianyun.section3.granted.total == 19  # the misreading the store holds
    received = cells[cells.cell == "section3.new.total"].value.sum()
    assert received == sum(record.section3.new.total for record in expected.values())
    assert records.set_index("record_id").open_flags.sum() == _open_flags_in_queue(review_store.url)


def test_flags_and_records_follow_the_review(review_store: ReviewStore) -> None:
    haian = review_store.ids["haian-kjj-2019.s4-total"]
    lianyun = review_store.ids["lianyun-gov-2024.unbalanced"]
    sessions = open_sessions(review_store.url)
    with sessions() as session:
        alice = find_user(session, "alice")
        flag = open_flags(session, session.get(StoredDocument, haian))[0]
        decide(session, haian, expected_version=1, fingerprint=flag.fingerprint, decision="confirmed_source", reviewer=alice)
        correct(session, lianyun, expected_version=1, cell="section3.granted.total", value=26, reviewer=alice)
        session.commit()
        total_flags = Counter(
            (document.id, row.rule) for document in session.scalars(select(StoredDocument)) for row in document.current_version.flags
        )
    sessions.kw["bind"].dispose()

    with gxllm.open_store(review_store.url) as store:
        flags, records, cells = store.flags(), store.records(), store.cells()
    assert Counter(zip(flags.record_id, flags.rule)) == total_flags
    decided = flags[flags.fingerprint == flag.fingerprint].iloc[0]
    assert (decided.record_id, decided.status, decided.decided_by) == (haian, "confirmed_source", "alice")
    assert records.set_index("record_id").loc[lianyun, "version"] == 2
    corrected = cells[(cells.record_id == lianyun) & (cells.cell == "section3.granted.total")]
    assert corrected.value.tolist() == [26]


def test_open_store_refuses_a_path_that_holds_no_store(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no store at"):
        gxllm.open_store(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
