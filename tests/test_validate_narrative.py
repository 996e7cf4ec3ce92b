"""Section 五 against itself (NARRATIVE_EMPTY) and against last year's report (NARRATIVE_REPEATED,
REMEDY_NOT_EFFECTIVE), on the real report pairs of fixtures/real.

Of the corpus's pairs of one agency, only 三明市 2022/2023 are consecutive years;
莆田审计局 2021/2023, 水利局 2021/2024 and 文旅局 2019/2022 (and 三明 2020/2022,
2023/2025) have a gap. A report is compared with the year before only: its
promises were for that next year, and across a gap even the tables' carried
numbers belong to different years.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gxllm.cli import app
from gxllm.record import Evidence, Record
from gxllm.validate import cross_year_flags, validate
from tests.conftest import FIXTURES

REAL = FIXTURES / "real"
runner = CliRunner()


def gold(name: str) -> Record:
    return Record.model_validate(json.loads((REAL / f"{name}.gold.json").read_text(encoding="utf-8")))


def narrative_flags(record: Record, **kwargs) -> list[tuple[str, str, str, list[str]]]:
    rules = {"NARRATIVE_EMPTY", "NARRATIVE_REPEATED", "REMEDY_NOT_EFFECTIVE"}
    return [(f.rule, f.severity, f.kind, f.cells) for f in validate(record, **kwargs) if f.rule in rules]


@pytest.mark.parametrize("name", sorted(p.name.removesuffix(".gold.json") for p in REAL.glob("*.gold.json")))
def test_no_real_report_has_an_empty_section_five(name):
    assert narrative_flags(gold(name)) == []


@pytest.mark.parametrize(
    ("problems", "remedies", "why"),
    [
        ([], [], "没有列出任何问题或改进措施"),
        ([], ["继续做好政务公开工作"], "只有一句：“继续做好政务公开工作”"),
        (["工作还有差距", "离要求还有不足"], ["继续努力"], "所列问题都是套话，没有指出具体问题"),
        ([], ["加强培训", "完善制度"], "没有指出具体问题"),
    ],
)
def test_an_empty_one_sentence_or_boilerplate_section_five_is_flagged(problems, remedies, why):
    record = gold("sanming-gov-2023")
    record.problems, record.remedies = problems, remedies
    [flag] = [f for f in validate(record) if f.rule == "NARRATIVE_EMPTY"]
    assert (flag.severity, flag.kind, flag.cells) == ("warning", "source", ["problems", "remedies"])
    assert flag.message == f"报告第五部分“存在的主要问题及改进情况”内容空泛：{why}。"


def test_a_section_five_not_found_is_missing_rather_than_empty():
    record = gold("sanming-gov-2023")
    record.problems, record.remedies = [], []
    note = Evidence(method="rule", note="section 五 (存在的主要问题及改进情况) not found")
    [flag] = [f for f in validate(record, evidence={"problems": note, "remedies": note}) if f.rule == "NARRATIVE_EMPTY"]
    assert flag.kind == "missing" and flag.message.startswith("缺少数据：没有找到第五部分")


def test_sanming_2023_names_a_problem_sanming_2022_promised_to_fix():
    [flag] = cross_year_flags(gold("sanming-gov-2023"), previous=gold("sanming-gov-2022"))
    assert (flag.rule, flag.severity, flag.kind, flag.cells) == ("REMEDY_NOT_EFFECTIVE", "info", "source", ["problems.2"])
    assert flag.found == "政策解读的形式还不够丰富"
    assert flag.expected.startswith("着力提升解读质量，创新政策解读方式")
    assert flag.message.startswith("上年承诺的改进措施未见成效：本年问题“政策解读的形式还不够丰富”（主题：政策解读）与上年报告的改进措施“着力提升解读质量")
    assert flag.message.endswith("上年承诺的改进未能消除这一问题。")


def test_an_item_repeating_last_year_nearly_word_for_word_names_last_year_s_item():
    last_year, record = gold("sanming-gov-2022"), gold("sanming-gov-2023")
    repeated = last_year.remedies[2].replace("强化监督检查力度", "强化监督检查工作力度")
    record.remedies = [*record.remedies, repeated]
    flags = [f for f in cross_year_flags(record, previous=last_year) if f.rule == "NARRATIVE_REPEATED"]
    assert [(f.severity, f.cells, f.expected, f.found) for f in flags] == [
        ("info", ["remedies.3"], last_year.remedies[2], repeated)
    ]
    assert flags[0].message.startswith("与上年报告内容雷同：本年改进措施“强化监督检查工作力度")
    assert "与上年报告的改进措施“强化监督检查力度" in flags[0].message


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("putian-sjj-2021", "putian-sjj-2023"),
        ("putian-slj-2021", "putian-slj-2024"),
        ("putian-wlj-2019", "putian-wlj-2022"),
        ("sanming-gov-2020", "sanming-gov-2022"),
        ("sanming-gov-2023", "sanming-gov-2025"),
    ],
)
def test_a_report_is_not_compared_across_a_gap_in_the_years(earlier, later):
    assert cross_year_flags(gold(later), previous=gold(earlier)) == []
    # Taken as the year before, 2023's 结转下年度 would be set against 2025's 上年结转: not the same requests.
    if (earlier, later) == ("sanming-gov-2023", "sanming-gov-2025"):
        previous = gold(earlier)
        previous.year = 2024
        assert "CROSS_YEAR" in {f.rule for f in cross_year_flags(gold(later), previous=previous)}


def test_validate_previous_reports_what_repeats_from_last_year(tmp_path):
    this_year = tmp_path / "2023.json"
    this_year.write_text((REAL / "sanming-gov-2023.gold.json").read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(
        app, ["validate", str(this_year), "--previous", str(REAL / "sanming-gov-2022.gold.json"), "--json"]
    )
    assert result.exit_code == 0
    assert [(f["rule"], f["severity"], f["cells"]) for f in json.loads(result.stdout)] == [
        ("REMEDY_NOT_EFFECTIVE", "info", ["problems.2"])
    ]
