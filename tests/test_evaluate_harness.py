"""The harness over a gold directory, with a fake pipeline and validator: crashes, bad gold,
summed figures, comparison and the ``gxllm eval`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from gxllm.cli import app
from gxllm.errors import BadGold
from gxllm.evaluate import Stages, evaluate
from gxllm.evaluate.compare import BadReport, compare, load_report, print_comparison
from gxllm.evaluate.gold import load_gold_dir
from gxllm.evaluate.report import print_summary, to_markdown
from gxllm.record import Evidence, Extraction, Flag, Record, SourceInfo
from gxllm.settings import Settings


def _gold(agency: str, new_total: int) -> Record:
    gold = Record.empty("2021", agency=agency, year=2024, problems=["加强培训力度"], remedies=["完善制度建设"])
    gold.set_cell("section3.new.natural_person", new_total)
    gold.set_cell("section3.new.total", new_total)
    return gold


def _write_case(directory: Path, name: str, gold: Record) -> None:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".txt").write_text(f"report {name}", encoding="utf-8")
    path.with_suffix(".gold.json").write_text(json.dumps(gold.to_json(), ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def gold_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "gold"
    _write_case(directory, "a", _gold("连云区科学技术局", 12))
    _write_case(directory, "sub/b", _gold("海安市科学技术局", 5))  # found in a subfolder
    return directory


def _golds(directory: Path) -> dict[str, Record]:
    return {case.name: case.gold for case in load_gold_dir(directory)}


class FakePipeline:
    """Predicts each case's gold with the given edits; raises for names in ``crash``."""

    def __init__(self, directory: Path, edits: dict[str, dict[str, int | None]], crash: tuple[str, ...] = ()):
        self.directory, self.golds, self.edits, self.crash = directory, _golds(directory), edits, crash
        self.calls: list[str] = []

    def extract(self, path: Path) -> Extraction:
        name = path.relative_to(self.directory).as_posix()
        self.calls.append(name)
        if name in self.crash:
            raise RuntimeError("boom")
        record = self.golds[name].model_copy(deep=True)
        for cell, value in self.edits.get(name, {}).items():
            record.set_cell(cell, value)
        evidence = {
            cell: Evidence(token=str(value), span=(0, 1)) for cell, value in record.cells() if value is not None
        }
        return Extraction(
            record=record,
            evidence=evidence,
            flags=validate_section3(record, evidence=evidence, source_text=""),
            source=SourceInfo(path=str(path), sha256="0" * 64, kind="text"),
            timings={"read": 0.5, "tables": 0.25, "narrative": 0.0, "llm": 0.0, "validate": 0.125},
            text=path.read_text(encoding="utf-8"),
        )

    def stages(self) -> Stages:
        return Stages(extract=self.extract, validate=validate_section3)


def validate_section3(record: Record, *, evidence: dict[str, Evidence], source_text: str | None) -> list[Flag]:
    """A validator that knows one rule: section3.new.total = natural_person (all other columns are 0 or null)."""
    person, total = record.cell("section3.new.natural_person"), record.cell("section3.new.total")
    if person == total:
        return []
    cells = ["section3.new.natural_person", "section3.new.total"]
    return [Flag(rule="S3_ROW_TOTAL", severity="error", kind="extraction", cells=cells, message="m")]


# ---------------------------------------------------------------- gold directories


def test_cases_are_found_recursively_and_one_gold_can_serve_two_sources(gold_dir: Path):
    (gold_dir / "a.html").write_text("<p>report</p>", encoding="utf-8")
    (gold_dir / "a.PDF").write_bytes(b"%PDF-1.7")  # suffixes in any case
    (gold_dir / "notes.txt").write_text("a source without gold is not a case", encoding="utf-8")
    cases = load_gold_dir(gold_dir)
    assert [c.name for c in cases] == ["a.PDF", "a.html", "a.txt", "sub/b.txt"]
    assert cases[0].gold == cases[1].gold == cases[2].gold


def test_an_empty_directory_is_a_clear_error(tmp_path: Path):
    with pytest.raises(BadGold, match="no gold cases"):
        load_gold_dir(tmp_path)
    with pytest.raises(BadGold, match="not a directory"):
        load_gold_dir(tmp_path / "missing")


def test_a_gold_without_its_source_is_named(gold_dir: Path):
    (gold_dir / "a.txt").unlink()
    with pytest.raises(BadGold, match=r"a\.gold\.json: no source file beside it"):
        load_gold_dir(gold_dir)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not readable JSON"),
        (json.dumps({"template": "2021", "agency": "x", "colour": "red"}), "colour.*Extra inputs"),
        (json.dumps({"template": "2021", "section3": {"new": {"total": "many"}}}), "does not match docs/record.md"),
        (json.dumps({"template": "2020"}), "template"),
        (json.dumps({"agency": "x", "year": 2024}), "no template"),
    ],
)
def test_a_gold_that_does_not_match_record_md_is_named(gold_dir: Path, content: str, reason: str):
    (gold_dir / "sub" / "b.gold.json").write_text(content, encoding="utf-8")
    with pytest.raises(BadGold, match=rf"sub/b\.gold\.json: .*{reason}"):
        load_gold_dir(gold_dir)


# ---------------------------------------------------------------- a run


def test_figures_summed_over_cases(gold_dir: Path):
    pipeline = FakePipeline(gold_dir, {"a.txt": {"section3.new.total": 21}})
    report = evaluate(gold_dir, pipeline.stages(), use_llm=False)
    s = report.summary
    assert pipeline.calls == ["a.txt", "sub/b.txt"]
    assert report.use_llm is False
    # 2 cases x 200 cells, one wrong: 399/400; case b has every cell right, case a does not.
    assert (s.cells.correct, s.cells.total) == (399, 400)
    assert (s.cells_by_section["section3"].correct, s.cells_by_section["section3"].total) == (349, 350)
    assert (s.cases_all_right.correct, s.cases_all_right.total) == (1, 2)
    assert [(w.case, w.path, w.gold, w.predicted, w.evidence.token) for w in report.wrong_cells] == [
        ("a.txt", "section3.new.total", 12, 21, "21")
    ]
    assert {name: r.share for name, r in s.fields.items()} == {
        "agency": 1.0,
        "year": 1.0,
        "template": 1.0,
        "fee.charged": 1.0,
    }
    assert s.problems.f1 == 1.0 and s.remedies.f1 == 1.0
    # Case a's S3_ROW_TOTAL names a wrong cell: raised, but not a false alarm.
    assert (s.flags_raised, s.false_alarms) == (1, 0)
    assert s.timing.by_stage == {"read": 0.5, "tables": 0.25, "narrative": 0.0, "llm": 0.0, "validate": 0.125}
    assert s.peak_rss_mib > 0
    assert s.perturbation is None


def test_a_false_alarm_on_right_cells_is_counted(gold_dir: Path):
    pipeline = FakePipeline(gold_dir, {})
    wrong_flag = Flag(rule="S4_TOTAL", severity="warning", kind="source", cells=["section4.review.total"], message="m")

    def extract_with_alarm(path: Path) -> Extraction:
        extraction = pipeline.extract(path)
        return extraction.model_copy(update={"flags": [wrong_flag]})

    stages = Stages(extract=extract_with_alarm, validate=validate_section3)
    report = evaluate(gold_dir, stages)
    assert (report.summary.flags_raised, report.summary.false_alarms) == (2, 2)
    assert [a.rule for a in report.cases[0].false_alarms] == ["S4_TOTAL"]


def test_a_crashing_case_is_entirely_wrong_and_the_run_goes_on(gold_dir: Path):
    pipeline = FakePipeline(gold_dir, {}, crash=("sub/b.txt",))
    report = evaluate(gold_dir, pipeline.stages(), perturb=4, seed=1)
    a, b = report.cases
    assert a.error is None and b.error == "RuntimeError: boom"
    s = report.summary
    assert s.crashed == 1
    # a: 200/200 right; b: 0/200 -> 200/400.
    assert (s.cells.correct, s.cells.total) == (200, 400)
    assert len([w for w in report.wrong_cells if w.case == "sub/b.txt"]) == 200
    assert {name: (r.correct, r.total) for name, r in s.fields.items()} == {
        "agency": (1, 2),
        "year": (1, 2),
        "template": (1, 2),
        "fee.charged": (1, 2),
    }
    # b's gold items count as missed: problems matched 1, gold 2, predicted 1 -> recall 1/2, precision 1.
    assert (s.problems.matched, s.problems.gold, s.problems.predicted) == (1, 2, 1)
    assert s.problems.recall == 0.5
    # b's deliberate errors are all missed; timing averages only the case that ran.
    assert len(b.changes) == 4 and not any(c.caught for c in b.changes)
    assert s.timing.by_stage["read"] == 0.5


def test_deliberate_errors_counted_per_section_and_kind(gold_dir: Path):
    pipeline = FakePipeline(gold_dir, {})
    report = evaluate(gold_dir, pipeline.stages(), perturb=100, seed=5)
    # Gold a has natural_person = total = 12, gold b 5 and 5, every other cell null. Every change
    # each gold allows (fewer than 100) is made:
    #   a: ±1 on 2 cells, swap 12->21 on 2, drop 12->1|2 on 2, null on 2, 2 moves (into commercial
    #      and other) = 10;  b: ±1 2, null 2, moves 2 (5 has one digit) = 6.  16 in all.
    changes = [c for case in report.cases for c in case.changes]
    assert [len(case.changes) for case in report.cases] == [10, 6]
    # The fake validator watches only natural_person = total: a change is caught exactly when it
    # lands on one of those two (any change there breaks the equality). Moves land elsewhere.
    watched = {"section3.new.natural_person", "section3.new.total"}
    for change in changes:
        assert change.caught == (change.path in watched), change
        assert change.caught_by == (["S3_ROW_TOTAL"] if change.caught else [])
    p = report.summary.perturbation
    # caught: a 8 + b 4 = 12 of 16; all in section3; moves 0 of 4, every other kind all caught.
    assert (p.caught.correct, p.caught.total) == (12, 16)
    assert {k: (r.correct, r.total) for k, r in p.by_section.items()} == {"section3": (12, 16)}
    assert {k: (r.correct, r.total) for k, r in p.by_kind.items()} == {
        "plus_minus_one": (4, 4),
        "swap_digits": (2, 2),
        "drop_digit": (2, 2),
        "move_to_neighbour": (0, 4),
        "set_null": (4, 4),
    }


# ---------------------------------------------------------------- outputs and comparison


def _report_text(render) -> str:
    console = Console(record=True, width=200)
    render(console)
    return console.export_text()


def test_terminal_and_markdown_show_every_figure(gold_dir: Path):
    pipeline = FakePipeline(gold_dir, {"a.txt": {"section3.new.total": 21}}, crash=("sub/b.txt",))
    report = evaluate(gold_dir, pipeline.stages(), perturb=3)
    for text in (_report_text(lambda console: print_summary(report, console)), to_markdown(report)):
        for heading in ("Numeric cells", "Fields", "Narrative", "Flags", "Deliberate errors caught", "Time and memory"):
            assert heading in text
        # a: 199/200 right, b crashed: 0/200 -> 199/400.
        assert "49.8% (199/400)" in text
        assert "RuntimeError: boom" in text
        assert "section3.new.total" in text
    # 1 wrong cell in a + 200 in crashed b; b's 3 deliberate errors are missed. The terminal
    # shows the first 20 rows of each list, the Markdown every row.
    terminal = _report_text(lambda console: print_summary(report, console))
    assert "Wrong cells (201), first 20; all are in --json and --report" in terminal
    assert "Deliberate errors missed (3)" in terminal
    markdown = to_markdown(report)
    assert "## Wrong cells (201)\n" in markdown
    assert markdown.count("| sub/b.txt | section") == 200
    assert "| a.txt | section3.new.total | 12 | 21 | 21 |  |" in markdown


def test_comparison_lists_changed_figures_and_newly_broken_cells(gold_dir: Path, tmp_path: Path):
    earlier = evaluate(gold_dir, FakePipeline(gold_dir, {"a.txt": {"section4.review.total": 3}}).stages())
    saved = tmp_path / "earlier.json"
    saved.write_text(earlier.model_dump_json(), encoding="utf-8")
    assert load_report(saved) == earlier
    now = evaluate(gold_dir, FakePipeline(gold_dir, {"sub/b.txt": {"section3.new.total": 50}}).stages())
    comparison = compare(now, load_report(saved))
    figures = {f.name: f for f in comparison.figures}
    # both runs: 399/400 cells; section3 was 350/350 and is 349/350; section4 was 29/30 and is 30/30.
    assert figures["cells"].change == 0
    assert figures["cells.section3"].change == pytest.approx(-1 / 350)
    assert figures["cells.section4"].change == pytest.approx(1 / 30)
    assert [(c.case, c.path) for c in comparison.newly_broken] == [("sub/b.txt", "section3.new.total")]
    assert [(c.case, c.path) for c in comparison.newly_fixed] == [("a.txt", "section4.review.total")]
    text = _report_text(lambda console: print_comparison(comparison, console))
    assert "cells.section3" in text and "-0.0029" in text and "+0.0333" in text
    assert "Newly broken cells (1)" in text and "sub/b.txt" in text and "1 cell(s) newly right." in text


def test_an_unreadable_earlier_report_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "earlier.json"
    bad.write_text('{"summary": 1}', encoding="utf-8")
    with pytest.raises(BadReport, match="earlier.json: not a gxllm eval --json report"):
        load_report(bad)


# ---------------------------------------------------------------- the command


def test_gxllm_eval_writes_json_and_markdown_and_compares(gold_dir: Path, tmp_path: Path, monkeypatch):
    pipeline = FakePipeline(gold_dir, {"a.txt": {"section3.new.total": 21}})
    given: list[tuple[Settings, object]] = []

    def fake_stages(cls: type[Stages], settings: Settings, llm: object = None) -> Stages:
        given.append((settings, llm))
        return pipeline.stages()

    monkeypatch.setattr(Stages, "pipeline", classmethod(fake_stages))
    out_json, out_md = tmp_path / "out" / "eval.json", tmp_path / "out" / "eval.md"
    runner = CliRunner()
    args = ["eval", str(gold_dir), "--json", str(out_json), "--report", str(out_md), "--no-llm", "--perturb", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Numeric cells" in result.output and "Deliberate errors caught (3 per case, seed 0)" in result.output
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["use_llm"] is False
    assert data["summary"]["cells"] == {"correct": 399, "total": 400, "share": 0.9975}
    assert data["wrong_cells"][0]["path"] == "section3.new.total"
    assert out_md.read_text(encoding="utf-8").startswith("# gxllm evaluation of")
    assert pipeline.calls[:2] == ["a.txt", "sub/b.txt"]
    assert [(settings.llm_runtime, llm) for settings, llm in given] == [("none", None)]  # --no-llm: no model opened

    again = runner.invoke(app, ["eval", str(gold_dir), "--compare", str(out_json), "--perturb", "0"])
    assert again.exit_code == 0, again.output
    assert "Change against the earlier run" in again.output and "No cell newly broke." in again.output


def test_gxllm_eval_on_a_bad_directory_fails_with_the_reason(tmp_path: Path):
    result = CliRunner().invoke(app, ["eval", str(tmp_path)])
    assert result.exit_code == 1
    assert "no gold cases" in result.output


def _write_themes(directory: Path, lines: list[str]) -> None:
    header = "file\tlist\tindex\tthemes\titem"
    (directory / "THEMES.tsv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")


def test_themes_beside_the_cases_are_scored_and_reported(gold_dir: Path):
    _write_themes(gold_dir, ["a.txt\tproblems\t0\t队伍与培训\t加强培训力度", "a.txt\tremedies\t0\t制度机制与考核\t完善制度建设"])
    pipeline = FakePipeline(gold_dir, {})
    themed = pipeline.extract

    def extract(path: Path) -> Extraction:
        extraction = themed(path)
        extraction.themes = {"problems": [["队伍与培训"]], "remedies": [["平台与政务新媒体"]]}
        return extraction

    report = evaluate(gold_dir, Stages(extract=extract, validate=validate_section3), perturb=0)
    by_name = {case.name: case for case in report.cases}
    assert by_name["sub/b.txt"].themes is None  # THEMES.tsv of its folder does not name it
    themes = report.summary.themes
    assert (themes.items, themes.agreed, themes.main_right) == (2, 1, 1)
    assert "Themes (2 matched items)" in to_markdown(report)
    assert "| accuracy: each main theme among the other's themes | 50.0% (1/2) |" in to_markdown(report)


def test_a_theme_outside_the_taxonomy_is_bad_gold(gold_dir: Path):
    _write_themes(gold_dir, ["a.txt\tproblems\t0\t培训\t加强培训力度"])
    with pytest.raises(BadGold, match=r"THEMES.tsv:2: themes \['培训'\] are not in the taxonomy"):
        load_gold_dir(gold_dir)
