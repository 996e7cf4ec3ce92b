"""`gxllm extract`: one record per file, clear errors, nothing half-written."""

from __future__ import annotations

import json
import shutil

import pypdfium2 as pdfium
from typer.testing import CliRunner

from gxllm.cli import app
from tests.conftest import FIXTURES, SEEDS

runner = CliRunner()


def gold(name: str) -> dict:
    return json.loads((SEEDS / f"{name}.gold.json").read_text(encoding="utf-8"))


def test_extract_prints_the_record_with_evidence():
    result = runner.invoke(app, ["extract", str(SEEDS / "lianyun-gov-2024.txt"), "--no-llm"])
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    want = gold("lianyun-gov-2024")
    for key in ("agency", "year", "template", "section2", "section3", "section4"):
        assert output[key] == want[key]
    assert output["evidence"]["section3.new.total"]["token"] == "68"
    assert output["source"]["encoding"] == "utf-8"
    assert set(output["timings"]) >= {"read", "tables", "validate"}


def test_bad_files_are_named_and_the_others_still_finish(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEEDS / "yindu-kjj-2024.txt", inputs / "good.txt")
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "garbage.txt").write_bytes(bytes(range(256)) * 16)
    (inputs / "letter.txt").write_text("尊敬的各位同事：明天上午九点开会，请准时参加。", encoding="utf-8")
    (inputs / "report.docx").write_bytes(b"PK\x03\x04")
    out = tmp_path / "out"
    files = [str(inputs / n) for n in ("empty.txt", "good.txt", "garbage.txt", "letter.txt", "report.docx")]
    result = runner.invoke(app, ["extract", *files, "--out", str(out), "--no-llm"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 4
    assert any("empty.txt" in e and "empty" in e for e in errors)
    assert any("garbage.txt" in e and "not text" in e for e in errors)
    assert any("letter.txt" in e and "no sections" in e for e in errors)
    assert any("report.docx" in e and "unsupported" in e for e in errors)
    assert sorted(p.name for p in out.iterdir()) == ["good.json"]
    record = json.loads((out / "good.json").read_text(encoding="utf-8"))
    assert record["agency"] == gold("yindu-kjj-2024")["agency"]


def test_jsonl_output_one_line_per_report(tmp_path):
    names = ["haian-kjj-2019", "lianyun-kjj-2024"]
    result = runner.invoke(
        app, ["extract", *(str(SEEDS / f"{n}.txt") for n in names), "--out", str(tmp_path), "--format", "jsonl", "--no-llm"]
    )
    assert result.exit_code == 0, result.stderr
    lines = (tmp_path / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["template"] for line in lines] == ["2019", "2021"]
    assert [p.name for p in tmp_path.iterdir()] == ["records.jsonl"]


def test_same_stem_inputs_do_not_overwrite_each_other(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(SEEDS / "yindu-kjj-2024.txt", tmp_path / "a" / "r.txt")
    shutil.copy(SEEDS / "haian-kjj-2019.txt", tmp_path / "b" / "r.txt")
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(tmp_path / "a" / "r.txt"), str(tmp_path / "b" / "r.txt"), "--out", str(out), "--no-llm"])
    assert result.exit_code == 0, result.stderr
    assert len(list(out.iterdir())) == 2


def test_a_report_page_nested_a_thousand_divs_deep_is_extracted(tmp_path):
    paragraphs = "".join(f"<p>{line}</p>" for line in (SEEDS / "yindu-kjj-2024.txt").read_text(encoding="utf-8").splitlines())
    page = tmp_path / "nested.html"
    page.write_text(f"<html><body>{'<div>' * 1000}{paragraphs}{'</div>' * 1000}</body></html>", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(page), "--no-llm"])
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    want = gold("yindu-kjj-2024")
    assert {key: output[key] for key in ("agency", "year", "section3")} == {key: want[key] for key in ("agency", "year", "section3")}


def test_a_text_that_is_no_report_is_refused_in_one_line():
    path = FIXTURES / "bad" / "not-a-report.txt"
    result = runner.invoke(app, ["extract", str(path), "--no-llm"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"gxllm: {path}: no sections or table labels of a 政府信息公开工作年度报告 found"
    ]


def test_gxllm_set_up_wrong_stops_the_command_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("GXLLM_OCR_ENGINE", "paddleocr")  # without the model folders it needs
    monkeypatch.delenv("GXLLM_OCR_MODEL_DIR", raising=False)
    scan = pdfium.PdfDocument.new()
    scan.new_page(595, 842)  # no text layer: the page goes to OCR
    scan.save(tmp_path / "scan.pdf")
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(tmp_path / "scan.pdf"), str(SEEDS / "yindu-kjj-2024.txt"), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        "gxllm: extract: the paddleocr OCR engine needs model folders: "
        "set GXLLM_OCR_MODEL_DIR (write them with `gxllm ocr paddle-models DIR`)\n"
    )
    assert not out.exists()  # stopped there: the next file is not tried


def test_no_llm_keeps_a_model_set_up_wrong_out(monkeypatch):
    monkeypatch.setenv("GXLLM_LLM_RUNTIME", "llamacpp")
    monkeypatch.setenv("GXLLM_LLM_MODEL", "qwen-7b")
    refused = runner.invoke(app, ["extract", str(SEEDS / "yindu-kjj-2024.txt")])
    assert refused.exit_code == 1 and refused.stderr.startswith("gxllm: extract: no model named 'qwen-7b'")
    assert refused.stdout == ""
    result = runner.invoke(app, ["extract", str(SEEDS / "yindu-kjj-2024.txt"), "--no-llm"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["agency"] == gold("yindu-kjj-2024")["agency"]
