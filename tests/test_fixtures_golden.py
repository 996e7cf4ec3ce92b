"""Golden files: on every text and HTML fixture, every numeric cell, the year,
the template and the agency equal the gold (issue 2's bar)."""

from __future__ import annotations

import pytest

from gxllm.evaluate.gold import load_gold_dir
from gxllm.pipeline import extract
from gxllm.settings import Settings
from tests.conftest import FIXTURES

TEXT_SUFFIXES = {".txt", ".md", ".html", ".htm"}
# fixtures/real holds reports as crawlers stored them, with cells no sum can
# settle: tests/test_real_reports.py holds them to their own bar.
CASES = [
    case
    for case in load_gold_dir(FIXTURES)
    if case.source.suffix.lower() in TEXT_SUFFIXES and not case.name.startswith("real/")
]


def test_fixtures_cover_every_layout_folder():
    folders = {case.name.split("/")[0] for case in CASES}
    assert {"seeds", "layouts", "encodings", "html", "markdown", "pdftotext"} <= folders


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_fixture_equals_gold(case):
    got = extract(case.source, settings=Settings())
    record = got.record
    assert (record.agency, record.year, record.template) == (case.gold.agency, case.gold.year, case.gold.template)
    wrong = {
        path: (want, record.cell(path), got.evidence[path].note)
        for path, want in case.gold.cells()
        if record.cell(path) != want
    }
    assert wrong == {}
    # Each value says how its line was read.
    assert got.evidence["section3.new.total"].method == ("html" if case.source.suffix.lower() in (".html", ".htm") else "text")
