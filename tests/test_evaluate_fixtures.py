"""``gxllm eval fixtures`` end to end: the real pipeline and validator over the project's gold set."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from gxllm.cli import app
from gxllm.evaluate.compare import load_report
from gxllm.evaluate.gold import load_gold_dir
from gxllm.evaluate.results import STAGES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


# Every input kind but scans, whose OCR (seconds a page) the OCR tests cover.
FOLDERS = ("seeds", "encodings", "html", "pdf")


def test_gxllm_eval_fixtures_prints_and_writes_every_figure(tmp_path: Path):
    gold_dir = tmp_path / "fixtures"
    for folder in FOLDERS:
        shutil.copytree(FIXTURES / folder, gold_dir / folder)
    out_json, out_md = tmp_path / "eval.json", tmp_path / "eval.md"
    args = ["eval", str(gold_dir), "--no-llm", "--perturb", "3", "--seed", "1"]
    result = CliRunner().invoke(app, [*args, "--json", str(out_json), "--report", str(out_md)])
    assert result.exit_code == 0, result.output
    for heading in (
        "Numeric cells",
        "Fields",
        "Narrative",
        "Flags on the cases as given",
        "Deliberate errors caught",
        "Time and memory",
    ):
        assert heading in result.output

    report = load_report(out_json)
    cases = load_gold_dir(gold_dir)
    s = report.summary
    assert report.use_llm is False
    assert [c.name for c in report.cases] == [c.name for c in cases]
    # every cell of every gold is scored: at least the gold template's cells per case
    assert s.cells.total >= sum(len(c.gold.spec.cell_paths()) for c in cases)
    assert s.cells.total - s.cells.correct == len(report.wrong_cells)
    assert s.perturbation is not None and s.perturbation.caught.total == 3 * len(cases)
    assert set(s.timing.by_stage) == set(STAGES)
    assert s.peak_rss_mib > 0
    ran = [c for c in report.cases if c.error is None]
    assert ran, "every fixture crashed"
    assert all(c.seconds > 0 and {"read", "tables"} <= set(c.timings) for c in ran)

    markdown = out_md.read_text(encoding="utf-8")
    assert f"## Cases ({len(cases)}, {s.crashed} crashed)" in markdown
    assert json.loads(out_json.read_text(encoding="utf-8"))["summary"]["cells"]["correct"] == s.cells.correct
