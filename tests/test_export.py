"""`gxllm export`: JSONL, CSV and XLSX open in pandas and openpyxl with the values of the stored records."""

from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from gxllm.cli import app
from gxllm.pipeline import extract, read_normalized
from gxllm.record import Record
from gxllm.settings import Settings
from gxllm.store import (
    StoredDocument,
    add_user,
    correct,
    decide,
    find_document,
    open_flags,
    open_store,
    store_extraction,
)
from gxllm.validate import validate
from tests.conftest import SEEDS

SEED_PATHS = sorted(SEEDS.glob("*.txt"))
MISREAD = SEEDS / "lianyun-gov-2024.txt"  # misread, then corrected
LEFT_OPEN = SEEDS / "lianyun-kjj-2024.txt"  # misread, flag left open


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Record]]:
    """The five seeds in a store; 连云区政府's 新收 total misread as 69, then corrected to 68 by a reviewer,
    who also dismisses one of the flags the misreading raised; 连云区科技局's misread as 1 (printed 0) and
    left open. Returns the URL and each record by sha256."""
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'gxllm.db'}"
    sessions = open_store(url)
    with sessions.begin() as session:
        reviewer = add_user(session, "alice", "hash")
        for path in SEED_PATHS:
            extraction = extract(path, settings=Settings())
            text = read_normalized(path, Settings()).text
            if path in (MISREAD, LEFT_OPEN):
                extraction.record.set_cell("section3.new.total", extraction.record.cell("section3.new.total") + 1)
                extraction.flags = validate(extraction.record, evidence=extraction.evidence, source_text=text)
            store_extraction(session, extraction, path=str(path), text=text)
    with sessions.begin() as session:
        document = find_document(session, extract(MISREAD, settings=Settings()).source.sha256)
        flags = open_flags(session, document)
        grounding = next(f for f in flags if f.rule == "GROUNDING")
        other = next(f for f in flags if f.rule != "GROUNDING")
        decide(session, document.id, expected_version=1, fingerprint=other.fingerprint, decision="dismissed",
               reviewer=reviewer, reason="与原文核对无误")
        correct(session, document.id, expected_version=2, cell="section3.new.total", value=68, reviewer=reviewer,
                fingerprint=grounding.fingerprint, reason="原文为68")
    with sessions() as session:
        records = {
            d.sha256: Record.model_validate(d.current_version.record) for d in session.query(StoredDocument).all()
        }
    return url, records


def _export(url: str, fmt: str, out: Path) -> Path:
    result = CliRunner().invoke(app, ["export", "--db", url, "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert f"{len(SEED_PATHS)} records written" in result.stderr
    return out


def test_jsonl_holds_each_record_with_flags_review_status_and_audit(store, tmp_path: Path) -> None:
    url, records = store
    out = _export(url, "jsonl", tmp_path / "records.jsonl")
    frame = pd.read_json(out, lines=True)
    assert len(frame) == len(SEED_PATHS)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        record = Record.model_validate({k: v for k, v in line.items() if k in Record.model_fields})
        assert record == records[line["document"]["sha256"]]
    corrected = next(line for line in lines if line["document"]["paths"] == [str(MISREAD)])
    assert corrected["section3"]["new"]["total"] == 68
    assert corrected["review_status"] == "reviewed" and corrected["version"]["number"] == 2
    assert [(a["decision"], a["cell"], a["old_value"], a["new_value"], a["reviewer"]) for a in corrected["audit"]] == [
        ("dismissed", None, None, None, "alice"),
        ("corrected", "section3.new.total", 69, 68, "alice"),
    ]
    assert corrected["audit"][0]["reason"] == "与原文核对无误"
    # The correction cleared every flag but the dismissed one, if the validator still raises it.
    assert all(flag["status"] == "dismissed" for flag in corrected["flags"])
    untouched = [line for line in lines if line is not corrected]
    assert all(flag["status"] == "open" for line in untouched for flag in line["flags"])
    assert {line["review_status"] for line in untouched} <= {"clean", "open"}
    assert corrected["themes"] == extract(MISREAD, settings=Settings()).themes  # kept by the correction
    left_open = next(line for line in lines if line["document"]["paths"] == [str(LEFT_OPEN)])
    assert left_open["review_status"] == "open" and left_open["audit"] == []
    assert any(flag["rule"] == "GROUNDING" and flag["cells"] == ["section3.new.total"] for flag in left_open["flags"])


def test_csv_has_one_row_per_cell_with_the_record_values_and_flag_ids(store, tmp_path: Path) -> None:
    url, records = store
    frame = pd.read_csv(_export(url, "csv", tmp_path / "cells.csv"), dtype={"flag_ids": str}, keep_default_na=False)
    assert list(frame.columns) == ["document", "path", "agency", "year", "template", "section", "row", "column",
                                   "value", "flag_ids"]
    assert len(frame) == sum(len(list(record.cells())) for record in records.values())
    for row in frame.itertuples():
        record = records[row.document]
        expected = record.cell(f"{row.section}.{row.row}.{row.column}")
        assert (row.value == "" if expected is None else float(row.value) == expected), row
        assert (row.agency, row.year, str(row.template)) == (record.agency, record.year, record.template)
    left_open = frame[frame.path == str(LEFT_OPEN)].set_index(["section", "row", "column"])
    ids = left_open.loc[("section3", "new", "total"), "flag_ids"].split()
    with open_store(url)() as session:
        document = session.query(StoredDocument).filter_by(sha256=left_open.document.iloc[0]).one()
        flags = open_flags(session, document)
    assert "GROUNDING" in {f.rule for f in flags if "section3.new.total" in f.cells}
    assert ids == [f.fingerprint for f in flags if "section3.new.total" in f.cells]
    for (section, row, column), cell_ids in left_open.flag_ids.items():
        path = f"{section}.{row}.{column}"
        assert cell_ids.split() == [f.fingerprint for f in flags if path in f.cells], path
    assert (left_open.flag_ids == "").sum() > 0  # cells no flag names stay clear


def test_xlsx_has_a_sheet_per_section_with_the_record_values(store, tmp_path: Path) -> None:
    url, records = store
    out = _export(url, "xlsx", tmp_path / "records.xlsx")
    workbook = openpyxl.load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["section2", "section3", "section4", "narrative", "flags", "audit"]
    compared = 0
    for section in ("section2", "section3", "section4"):
        rows = list(workbook[section].iter_rows(values_only=True))
        header, body = rows[0], rows[1:]
        assert header[:7] == ("document", "path", "agency", "year", "template", "row", "row_label")
        assert len(body) == sum(len(getattr(r.spec, section).rows) for r in records.values())
        for line in body:
            record = records[line[0]]
            row_key = line[5]
            for key, value in zip(header[7:-1], line[7:-1], strict=True):
                path = f"{section}.{row_key}.{key}"
                has_cell = any(c.key == key for c in getattr(record.spec, section).row(row_key).columns)
                assert value == (record.cell(path) if has_cell else None), path
                compared += has_cell
    assert compared == sum(len(list(record.cells())) for record in records.values())
    narrative = list(workbook["narrative"].iter_rows(values_only=True))
    assert narrative[0][5:10] == ("list", "index", "item", "main_theme", "themes")
    assert len(narrative) - 1 == sum(len(r.problems) + len(r.remedies) for r in records.values())
    audit = list(workbook["audit"].iter_rows(values_only=True))
    assert [row[5] for row in audit[1:]] == ["dismissed", "corrected"]
    assert audit[2][9:11] == (69, 68)
    sheets = pd.read_excel(out, sheet_name=None)
    assert sorted(sheets) == sorted(workbook.sheetnames)
    assert not math.isnan(sheets["section3"]["total"].sum())


def test_narrative_csv_has_one_row_per_item_with_its_themes_and_flags(tmp_path: Path) -> None:
    """三明市 2022 and 2023 (real, consecutive): 2023's third problem answers a remedy 2022 promised."""
    real = SEEDS.parent / "real"
    url = f"sqlite:///{tmp_path / 'gxllm.db'}"
    sessions = open_store(url)
    extractions = {}
    for name in ("sanming-gov-2022", "sanming-gov-2023"):
        path = real / f"{name}.txt"
        extractions[name] = extraction = extract(path, settings=Settings())
        with sessions.begin() as session:
            store_extraction(session, extraction, path=str(path), text=read_normalized(path, Settings()).text)
    out = tmp_path / "items.csv"
    result = CliRunner().invoke(app, ["export", "--db", url, "--format", "narrative", "--out", str(out)])
    assert result.exit_code == 0 and "2 records written" in result.stderr
    frame = pd.read_csv(out, dtype={"flag_ids": str}, keep_default_na=False)
    assert list(frame.columns) == ["document", "path", "agency", "year", "template", "list", "index", "item",
                                   "main_theme", "themes", "flag_ids"]
    expected = [
        (year, name, i, text, ";".join(themes))
        for year, extraction in ((2022, extractions["sanming-gov-2022"]), (2023, extractions["sanming-gov-2023"]))
        for name in ("problems", "remedies")
        for i, (text, themes) in enumerate(zip(getattr(extraction.record, name), extraction.themes[name], strict=True))
    ]
    assert list(zip(frame.year, frame.list, frame["index"], frame["item"], frame.themes, strict=True)) == expected
    assert all(row.main_theme == row.themes.split(";")[0] for row in frame.itertuples())
    with open_store(url)() as session:
        document = session.query(StoredDocument).filter_by(year=2023).one()
        [flag] = [f for f in open_flags(session, document) if f.rule == "REMEDY_NOT_EFFECTIVE"]
    named = frame[frame.flag_ids != ""]
    assert list(zip(named.year, named.list, named["index"], named.flag_ids, strict=True)) == [(2023, "problems", 2, flag.fingerprint)]
