"""Real reports as crawlers and converters stored them (fixtures/real).

The golds were read by people; these checks hold each gold to its own source
(so a typing slip in a gold fails here, not silently in the scores), and
hold gxllm to the bar of issue 12 on them.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from gxllm.evaluate import Stages, evaluate
from gxllm.read.text import decode_bytes
from gxllm.record import Record
from gxllm.settings import Settings
from gxllm.template import TEMPLATES
from gxllm.validate.arithmetic import equations
from tests.conftest import FIXTURES

REAL = FIXTURES / "real"
GOLDS = sorted(REAL.glob("*.gold.json"))
# Every value that is not a plain reading has a row here (see the file's header).
DECISIONS = list(csv.DictReader((REAL / "DECISIONS.tsv").open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
THEMES = list(csv.DictReader((REAL / "THEMES.tsv").open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
KINDS = {
    "repeat_restored",
    "restored_by_sum",
    "null_ambiguous",
    "null_not_printed",
    "source_error",
    "narrative_disagrees",
    "reading",
}
# Decisions after which a cell's value need not be printed where the table has it.
NOT_AS_PRINTED = {"restored_by_sum", "reading", "null_ambiguous", "null_not_printed"}


def _source(gold: Path) -> Path:
    [source] = [p for p in REAL.glob(gold.name.removesuffix(".gold.json") + ".*") if not p.name.endswith(".gold.json")]
    return source


def _record(gold: Path) -> Record:
    return Record.model_validate(json.loads(gold.read_text(encoding="utf-8")))


def _text(source: Path) -> str:
    text, _ = decode_bytes(source.read_bytes())
    if source.suffix == ".html":
        text = BeautifulSoup(text, "lxml").get_text("")
    return text


def _decisions(source: Path) -> list[dict[str, str]]:
    return [d for d in DECISIONS if d["file"] == source.name]


def _covered(path: str, decisions: list[dict[str, str]], kinds: set[str]) -> bool:
    """Whether a decision of one of ``kinds`` covers the cell (by its path, row or section)."""
    row, section = path.rsplit(".", 1)[0], path.split(".")[0]
    return any(d["decision"] in kinds and d["path"] in (path, row, section) for d in decisions)


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


def _is_subsequence(wanted: list[float], within: list[float]) -> bool:
    """Signs aside: a change of -1 is printed "-1" as well as "减1"."""
    it = iter(within)
    return all(any(abs(abs(w) - n) < 1e-9 for n in it) for w in wanted)


def test_every_corpus_kind_is_here() -> None:
    suffixes = sorted({_source(g).suffix for g in GOLDS})
    assert len(GOLDS) == 20 and suffixes == [".html", ".md", ".txt"]


@pytest.mark.parametrize("gold", GOLDS, ids=lambda p: p.name)
def test_each_rows_numbers_are_printed_in_the_source_in_order(gold: Path) -> None:
    """A deleted repeat prints once, so runs of equal values count once."""
    record, source = _record(gold), _source(gold)
    numbers, decisions = _numbers(_text(source)), _decisions(source)
    for table in TEMPLATES[record.template].tables:
        for row in table.rows:
            paths = [f"{table.section}.{row.key}.{c.key}" for c in row.columns]
            values = [record.cell(p) for p in paths if not _covered(p, decisions, NOT_AS_PRINTED)]
            printed = [v for i, v in enumerate(values) if v is not None and (i == 0 or v != values[i - 1])]
            assert _is_subsequence(printed, numbers), (table.section, row.key, printed)


@pytest.mark.parametrize("gold", GOLDS, ids=lambda p: p.name)
def test_narrative_items_and_the_fee_sentence_occur_in_the_source(gold: Path) -> None:
    record = _record(gold)
    text = re.sub(r"[\r\n]", "", _text(_source(gold)))
    for item in [*record.problems, *record.remedies, *([record.fee.text] if record.fee.text else [])]:
        assert item in text, item


@pytest.mark.parametrize("gold", GOLDS, ids=lambda p: p.name)
def test_the_sources_own_arithmetic_errors_are_exactly_the_ones_listed(gold: Path) -> None:
    record, source = _record(gold), _source(gold)
    values = {p: v for p, v in record.cells() if v is not None}
    broken = {
        f"{eq.rule}:{next(r.scope for r in _rules(record) if r.left == eq.totals and r.right == eq.parts)}"
        for eq in equations(record.template)
        if all(p in values for p in eq.cells) and eq.residual(values) != 0
    }
    listed = {d["path"] for d in _decisions(source) if d["decision"] == "source_error"}
    assert broken == listed


def _rules(record: Record):
    from gxllm.template import sum_rules

    return sum_rules(TEMPLATES[record.template])


@pytest.mark.parametrize("gold", GOLDS, ids=lambda p: p.name)
def test_every_null_cell_says_why(gold: Path) -> None:
    record, source = _record(gold), _source(gold)
    kinds = {"null_ambiguous", "null_not_printed", "reading"}
    unexplained = [p for p, v in record.cells() if v is None and not _covered(p, _decisions(source), kinds)]
    assert unexplained == []


def _decided_value(record: Record, path: str):
    if path.startswith("section"):
        parts = path.split(".")
        data = record.to_json()[parts[0]]
        for part in parts[1:]:
            data = data[part]
        return list(data.values()) if len(parts) == 2 else data
    if path.startswith("fee."):
        return getattr(record.fee, path.removeprefix("fee."))
    return getattr(record, path)


def _flat(value):
    """A row or section's cells in order, however the decision spells them (list or object)."""
    if isinstance(value, dict):
        return [v for part in value.values() for v in _flat(part)] if value and all(
            isinstance(v, dict | list) for v in value.values()
        ) else list(value.values())
    if isinstance(value, list) and value and isinstance(value[0], list):
        return [v for part in value for v in part]
    return value


def test_each_decision_names_a_report_a_kind_and_the_golds_own_value() -> None:
    sources = {_source(g).name: _record(g) for g in GOLDS}
    for decision in DECISIONS:
        assert decision["decision"] in KINDS, decision
        assert decision["reason"].strip(), decision
        record = sources[decision["file"]]
        if decision["decision"] == "source_error":
            rule, scope = decision["path"].split(":")
            assert any(r.rule == rule and r.scope == scope for r in _rules(record)), decision
            continue
        assert _flat(_decided_value(record, decision["path"])) == _flat(json.loads(decision["value"])), decision


def test_every_narrative_item_has_its_gold_themes() -> None:
    want = {
        (_source(g).name, name, i, item)
        for g in GOLDS
        for name in ("problems", "remedies")
        for i, item in enumerate(getattr(_record(g), name))
    }
    have = {(t["file"], t["list"], int(t["index"]), t["item"]) for t in THEMES}
    assert have == want
    assert all(t["themes"].strip() for t in THEMES)


def test_gxllm_reads_the_real_reports_to_the_bar() -> None:
    """Issue 12: ≥ 98 % of cells with no model, and every wrong value flagged."""
    report = evaluate(REAL, Stages.pipeline(Settings()), use_llm=False, perturb=0)
    summary = report.summary
    assert summary.crashed == 0
    assert summary.cells.share >= 0.98, summary.cells
    assert summary.wrong_unflagged == 0, [w for w in report.wrong_cells if w.predicted is not None and not w.flagged]
    assert summary.fields["year"].share == 1.0 and summary.fields["template"].share == 1.0


def test_reports_printed_in_full_read_with_their_repeats_deleted_give_no_wrong_value(tmp_path: Path) -> None:
    """The 三明 dumps print every cell; deleting each line equal to the one
    before (as the 莆田 crawler did) must leave only nulls where the sums
    cannot choose, never a wrong number."""
    for gold in REAL.glob("sanming-*.gold.json"):
        lines = _source(gold).read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
        kept = [line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1]]
        (tmp_path / _source(gold).name).write_text("\n".join(kept), encoding="utf-8")
        (tmp_path / gold.name).write_bytes(gold.read_bytes())
    report = evaluate(tmp_path, Stages.pipeline(Settings()), use_llm=False, perturb=0)
    assert [(w.case, w.path) for w in report.wrong_cells if w.predicted is not None] == []
    assert report.summary.cells.share >= 0.95, report.summary.cells


def test_blank_lines_a_crawler_adds_after_deleting_repeats_leave_the_reading_as_it_was(tmp_path: Path) -> None:
    """Two blank lines in a row inside a 莆田 table (added after the repeats
    were deleted) are no sign that the repeats are all there."""
    for gold in sorted(REAL.glob("putian-*.gold.json"))[:4]:
        lines = _source(gold).read_text(encoding="utf-8").split("\n")
        at = next(i for i, line in enumerate(lines) if "不予公开" in line and len(line) < 20)
        (tmp_path / _source(gold).name).write_text("\n".join([*lines[:at], "", "", *lines[at:]]), encoding="utf-8")
        (tmp_path / gold.name).write_bytes(gold.read_bytes())
    report = evaluate(tmp_path, Stages.pipeline(Settings()), use_llm=False, perturb=0)
    assert report.summary.cells.share == 1.0, report.summary.cells
