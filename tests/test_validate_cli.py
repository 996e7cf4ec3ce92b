"""``gxllm validate``: a table or JSON of flags, and exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gxllm.cli import app
from tests.conftest import SEEDS

runner = CliRunner()


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _gold(name: str) -> dict:
    return json.loads((SEEDS / f"{name}.gold.json").read_text(encoding="utf-8"))


def test_a_consistent_gold_exits_0() -> None:
    result = runner.invoke(
        app, ["validate", str(SEEDS / "lianyun-gov-2024.gold.json"), "--source", str(SEEDS / "lianyun-gov-2024.txt")]
    )
    assert (result.exit_code, result.stdout.strip()) == (0, "没有发现问题。")


def test_errors_print_a_table_and_exit_1(tmp_path: Path) -> None:
    data = _gold("lianyun-gov-2024")
    data["section4"]["review"]["total"] = 8
    result = runner.invoke(app, ["validate", str(_write(tmp_path, data))], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "S4_TOTAL" in result.stdout and "行政复议中总计为8" in result.stdout


def test_json_output_of_an_extraction_output_uses_its_evidence(tmp_path: Path) -> None:
    data = _gold("lianyun-gov-2024")
    source = SEEDS / "lianyun-gov-2024.txt"
    data["section2"]["penalty"]["decisions"] = 710
    data["evidence"] = {"section2.penalty.decisions": {"token": "710", "span": [0, 3]}}
    data["flags"], data["timings"] = [], {}
    result = runner.invoke(app, ["validate", str(_write(tmp_path, data)), "--json"])
    flags = json.loads(result.stdout)
    assert result.exit_code == 0  # the value matches its own token; without the source, a warning per row remains
    assert {f["rule"] for f in flags} == {"GROUNDING"} and all(f["severity"] == "warning" for f in flags)

    result = runner.invoke(app, ["validate", str(_write(tmp_path, data)), "--json", "--source", str(source)])
    [misread] = [f for f in json.loads(result.stdout) if f["severity"] == "error"]
    assert result.exit_code == 1
    assert (misread["rule"], misread["cells"], misread["found"]) == ("GROUNDING", ["section2.penalty.decisions"], 710)


def test_previous_year_is_compared(tmp_path: Path) -> None:
    earlier = _gold("lianyun-gov-2024")
    earlier["year"] = 2023
    earlier["section3"]["carried_forward"] = {**earlier["section3"]["carried_over"], "natural_person": 12, "total": 12}
    earlier["problems"], earlier["remedies"] = [], []  # last year's section 五 is not this year's concern here
    (tmp_path / "2023.json").write_text(json.dumps(earlier, ensure_ascii=False), encoding="utf-8")
    this_year = str(SEEDS / "lianyun-gov-2024.gold.json")
    result = runner.invoke(app, ["validate", this_year, "--previous", str(tmp_path / "2023.json"), "--json"])
    assert result.exit_code == 0
    assert [(f["cells"], f["expected"], f["found"]) for f in json.loads(result.stdout)] == [
        (["section3.carried_over.natural_person"], 12, 11),
        (["section3.carried_over.total"], 12, 11),
    ]


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    for content, reason in (
        ("not json", "not JSON"),
        ("[1, 2]", "not a record"),
        ('{"template": "2021", "section3": {"new": {"natural_person": "x"}}}', "does not match docs/record.md at section3.new.natural_person"),
    ):
        path = tmp_path / "bad.json"
        path.write_text(content, encoding="utf-8")
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 2
        assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = runner.invoke(app, ["validate", str(tmp_path / "absent.json")])
    assert result.exit_code == 2 and "cannot read" in result.stderr


def _with_new_total(text: str) -> str:
    """The lianyun gold as JSON text with 三、新收·总计 written as ``text`` (a JSON literal)."""
    gold = json.dumps(_gold("lianyun-gov-2024"), ensure_ascii=False)
    return gold.replace('"total": 68', f'"total": {text}', 1)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"year": ' + "9" * 5000 + "}", "not JSON"),
        ("[" * 100_000 + "]" * 100_000, "not JSON: nested too deeply"),
        ('{"evidence": [1, 2]}', "evidence"),
        ('{"evidence": {"section3.new.total": {"page": NaN}}}', "not JSON: NaN is not a number"),
        ('{"evidence": {"section3.new.total": {"page": "3"}}}', "evidence.section3.new.total.page"),
        (_with_new_total("NaN"), "not JSON: NaN is not a number"),
        (_with_new_total("Infinity"), "not JSON: Infinity is not a number"),
        (_with_new_total("-Infinity"), "not JSON: -Infinity is not a number"),
        (_with_new_total("1e400"), "not JSON: 1e400 is past the largest number"),
        (_with_new_total('"68"'), "section3.new.total"),
        (_with_new_total("true"), "section3.new.total"),
        (_with_new_total("68.5"), "section3.new.total"),
        (_with_new_total(str(2**63)), "not JSON: the integer 9223372036854775808 is past ±(2^53 − 1)"),
        (_with_new_total(str(10**20 + 1)), "not JSON: the integer 100000000000000000001 is past ±(2^53 − 1)"),
        (_with_new_total(str(2**53)), "not JSON: the integer 9007199254740992 is past ±(2^53 − 1)"),
        ('{"year": "2024"}', "year"),
        ('{"year": 99999}', "year"),
        ('{"template": "2021", "fee": {"amount_yuan": 1e300}}', "fee.amount_yuan"),
    ],
    ids=["5000-digits", "deep", "evidence-list", "evidence-nan", "evidence-string", "nan", "infinity", "-infinity", "1e400",
         "string", "boolean", "fraction", "2^63", "10^20+1", "2^53", "year-string", "year-99999", "amount-1e300"],
)
def test_hostile_json_exits_2_with_one_line(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_record_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (SEEDS / "lianyun-gov-2024.gold.json").read_bytes())
    result = runner.invoke(app, ["validate", str(path)])
    assert (result.exit_code, result.stdout.strip()) == (0, "没有发现问题。")
