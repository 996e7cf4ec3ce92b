"""One real-looking case per validator rule, built on the seed reports and their golds."""

from __future__ import annotations

import json
from functools import cache

import pytest

from gxllm.pipeline import read_normalized
from gxllm.record import Evidence, Fee, Record
from gxllm.settings import Settings
from gxllm.validate import validate
from tests.conftest import SEEDS
from tests.test_validate_properties import printed_source

SEED_NAMES = ["haian-kjj-2019", "lanshan-kjj-2023", "lianyun-gov-2024", "lianyun-kjj-2024", "yindu-kjj-2024"]


@cache
def _gold_json(name: str) -> str:
    return (SEEDS / f"{name}.gold.json").read_text(encoding="utf-8")


def gold(name: str) -> Record:
    return Record.model_validate(json.loads(_gold_json(name)))


@cache
def source(name: str) -> str:
    return read_normalized(SEEDS / f"{name}.txt", Settings()).text


def rules(flags: list) -> list[tuple[str, str, str]]:
    return [(f.rule, f.severity, f.kind) for f in flags]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_no_alarm_on_the_seed_golds(name: str) -> None:
    flags = validate(gold(name), source_text=source(name))
    if name == "yindu-kjj-2024":
        # Its section 六 says only "无": the missing fee statement is a true note, not an alarm.
        assert rules(flags) == [("FEE_STATEMENT", "info", "source")]
    else:
        assert flags == []


def test_the_lianyun_summary_sentence_is_read_and_agrees() -> None:
    from gxllm.validate.context import Compact
    from gxllm.validate.narrative_claims import claims

    record = gold("lianyun-gov-2024")
    found = {(c.quantity.names[0], c.number) for c in claims(record.spec, Compact.of(source("lianyun-gov-2024")).text)}
    assert found == {
        ("一、本年新收政府信息公开申请数量·总计", 79),
        ("三（一）予以公开·总计", 26),
        ("三（二）部分公开·总计", 8),
        ("三（四）无法提供·1.本机关不掌握相关政府信息·总计", 26),
        ("三（五）不予处理各项总计之和", 3),
        ("三（五）不予处理·1.信访举报投诉类申请·总计", 1),
        ("三（五）不予处理·2.重复申请·总计", 2),
        ("三（六）其他处理各项总计之和", 15),
        ("三（六）其他处理·1.申请人无正当理由逾期不补正·总计", 1),
        ("三（六）其他处理·3.其他·总计", 14),
        ("四、结转下年度继续办理·总计", 1),
    }


def test_s3_balance_when_the_rows_add_up_but_the_columns_do_not() -> None:
    record = gold("lianyun-gov-2024")
    record.set_cell("section3.new.natural_person", 66)  # the agency's own slip: 66 + 3 = 69 still sums
    record.set_cell("section3.new.total", 69)

    flags = [f for f in validate(record) if f.rule == "S3_BALANCE"]

    assert [(f.kind, f.found, f.expected, f.suspect) for f in flags] == [
        ("source", 76, 77, None),
        ("source", 79, 80, None),
    ]
    assert "section3.new.natural_person" in flags[0].cells
    assert "自然人列" in flags[0].message and "一、本年新收政府信息公开申请数量（66）" in flags[0].message


def test_s3_row_total_names_the_printed_total_and_its_other_reading() -> None:
    record = gold("lianyun-gov-2024")
    record.set_cell("section3.granted.total", 27)

    flags = validate(record, source_text=source("lianyun-gov-2024"))

    row = next(f for f in flags if f.rule == "S3_ROW_TOTAL")
    assert (row.kind, row.found, row.expected, row.suspect, row.suggestion) == (
        "source", 27, 26, "section3.granted.total", 26,
    )
    assert row.message.startswith("原表自身不平衡：三（一）予以公开中总计为27，而自然人至其他6项之和为26")
    # 三（一） is no part of the balance; the prose's "予以公开26件" disagrees too.
    assert [f.rule for f in flags] == ["S3_ROW_TOTAL", "S3_OUTCOME_TOTAL", "NARRATIVE_CLAIM"]


def test_s3_outcome_total_over_the_outcome_rows() -> None:
    record = gold("lianyun-gov-2024")
    record.set_cell("section3.rejected_duplicate.natural_person", 3)

    outcome = next(f for f in validate(record) if f.rule == "S3_OUTCOME_TOTAL")

    assert (outcome.found, outcome.expected, outcome.suspect, outcome.suggestion) == (
        75, 76, "section3.rejected_duplicate.natural_person", 2,
    )
    assert len(outcome.cells) == 22  # 三（七）总计 and the 21 outcome rows of the 2021 template


def test_s4_total_cannot_tell_which_of_five_cells_is_wrong_without_the_source() -> None:
    record = gold("lianyun-gov-2024")
    record.set_cell("section4.review.total", 8)

    [flag] = validate(record)

    assert (flag.rule, flag.severity, flag.kind, flag.found, flag.expected, flag.suspect) == (
        "S4_TOTAL", "error", "source", 8, 9, None,
    )
    assert flag.message == (
        "原表自身不平衡：行政复议中总计为8，而结果维持（2）加结果纠正（2）加其他结果（1）加尚未审结（4）为9。"
    )


def test_non_negative_counts_but_2019_changes_may_fall() -> None:
    record = gold("haian-kjj-2019")
    record.set_cell("section2.licensing.change", -3)
    record.set_cell("section2.penalty.decisions", -1)

    assert [(f.rule, f.cells, f.found) for f in validate(record)] == [
        ("NON_NEGATIVE", ["section2.penalty.decisions"], -1)
    ]


def test_template_year_against_the_source() -> None:
    record = gold("lianyun-gov-2024")
    record.year = 2020

    [flag] = [f for f in validate(record, source_text=source("lianyun-gov-2024")) if f.rule == "TEMPLATE_YEAR"]

    # The report prints the 2021 tables and never says 2020: the year was misread.
    assert (flag.kind, flag.expected, flag.found, flag.cells) == ("extraction", "2019", "2021", ["template", "year"])

    old_form = Record.empty("2019", agency="某局", year=2022)
    assert [(f.rule, f.kind) for f in validate(old_form) if f.rule == "TEMPLATE_YEAR"] == [("TEMPLATE_YEAR", "source")]


def test_fee_statement_read_from_the_source_but_not_into_the_record() -> None:
    record = gold("lianyun-gov-2024")
    record.fee = Fee()
    text = source("lianyun-gov-2024")

    [flag] = validate(record, source_text=text)

    assert rules([flag]) == [("FEE_STATEMENT", "warning", "extraction")]
    span = flag.evidence[0].span
    assert "未对政府信息公开申请收取任何费用" in text[span[0] : span[1]]


def test_missing_tells_absent_input_from_unread_cells() -> None:
    data = json.loads(_gold_json("lianyun-gov-2024"))
    del data["section4"]["review"]["other"]
    data["section3"]["granted"]["commercial"] = None
    del data["section2"]
    record = Record.model_validate(data)

    flags = validate(record, raw=data)

    assert [(f.rule, f.severity, f.cells) for f in flags] == [
        ("MISSING", "error", ["section2"]),
        ("MISSING", "warning", ["section3.granted.commercial"]),
        ("MISSING", "error", ["section4.review.other"]),
    ]
    assert flags[1].message == "缺少数据：三（一）予以公开·商业企业为空（未读出）。"
    assert validate(record) == flags  # the record's own unset fields tell the same without raw


def test_narrative_claim_contradicting_the_table() -> None:
    record = gold("lianyun-gov-2024")
    text = source("lianyun-gov-2024").replace("其中予以公开26件", "其中予以公开27件")

    [flag] = validate(record, source_text=text)

    assert (flag.rule, flag.kind, flag.cells, flag.expected, flag.found) == (
        "NARRATIVE_CLAIM", "source", ["section3.granted.total"], 27, 26,
    )
    assert flag.message == "正文与表格不符：正文称“其中予以公开27件”，而表中三（一）予以公开·总计为26。"
    assert text[slice(*flag.evidence[0].span)] == "其中予以公开27件"


def test_narrative_claims_read_prose_wording_and_appeals() -> None:
    record = gold("lianyun-gov-2024")
    prose = (
        "本年度新收政府信息公开申请68件，上年结转11件，其中部分予以公开8件。"
        "因政府信息公开被申请行政复议9件，被提起行政诉讼2件。"
    )
    assert validate(record, source_text=source("lianyun-gov-2024") + prose) == []

    [flag] = validate(record, source_text=source("lianyun-gov-2024") + prose.replace("行政诉讼2件", "行政诉讼3件"))
    assert (flag.rule, flag.expected, flag.found) == ("NARRATIVE_CLAIM", 3, 2)
    assert flag.cells == ["section4.litigation_direct.total", "section4.litigation_after_review.total"]


def test_prose_numbers_that_name_no_table_quantity_are_ignored() -> None:
    prose = (
        "全年办理人大代表建议5件、政协提案3件。收到处理信箱留言150条，网站发布信息3000余件。"
        "因政府信息公开被申请的行政复议，决定维持2件。未出现因政府信息公开引起的行政诉讼败诉案件。"
        "未发生因政府信息公开工作被追责问责的情况。"
    )
    assert validate(gold("lianyun-gov-2024"), source_text=source("lianyun-gov-2024") + prose) == []


def test_narrative_zero_claim() -> None:
    record = gold("lanshan-kjj-2023")
    for column in ("natural_person", "total"):
        for row in ("new", "granted"):
            record.set_cell(f"section3.{row}.{column}", 1)
        record.set_cell(f"section3.total.{column}", 1)

    flags = validate(record, source_text=source("lanshan-kjj-2023"))

    assert [(f.rule, f.expected, f.found) for f in flags] == [("NARRATIVE_CLAIM", 0, 1)]
    assert "未收到依申请" in flags[0].message


@pytest.mark.parametrize(("printed", "yuan"), [("200元", 200), ("1,200元", 1200), ("0.12万元", 1200)])
def test_fee_conflict_with_an_amount_named_in_the_prose(printed: str, yuan: int) -> None:
    record = gold("lianyun-kjj-2024")
    text = source("lianyun-kjj-2024") + f"\n全年共收取信息处理费{printed}。"

    [flag] = validate(record, source_text=text)

    assert (flag.rule, flag.kind, flag.found, flag.cells) == ("FEE_CONFLICT", "source", yuan, ["fee.charged"])
    assert flag.message == f"收费说明自相矛盾：报告称未收取信息处理费，但正文又称“收取信息处理费{printed}”，请核实。"


def test_fee_conflict_with_unpaid_fee_notices() -> None:
    record = gold("lianyun-kjj-2024")
    for column in ("natural_person", "total"):
        for row in ("new", "other_overdue_fee", "total"):
            record.set_cell(f"section3.{row}.{column}", 2)

    [flag] = validate(record, source_text=source("lianyun-kjj-2024"))

    assert (flag.rule, flag.cells) == ("FEE_CONFLICT", ["fee.charged", "section3.other_overdue_fee.total"])


def test_cross_year_carried_over_against_last_years_carried_forward() -> None:
    record = gold("lianyun-gov-2024")
    last_year = gold("lianyun-gov-2024")
    last_year.year = 2023
    last_year.set_cell("section3.carried_forward.natural_person", 10)
    last_year.set_cell("section3.carried_forward.total", 11)
    last_year.problems, last_year.remedies = [], []  # nothing for this year's section 五 to repeat

    [flag] = validate(record, previous=last_year)

    assert (flag.rule, flag.kind, flag.cells, flag.expected, flag.found) == (
        "CROSS_YEAR", "source", ["section3.carried_over.natural_person"], 10, 11,
    )
    last_year.year = 2021  # not the year before: nothing to compare
    assert validate(record, previous=last_year) == []


def test_grounding_reads_the_source_at_the_evidence_span() -> None:
    text = source("lianyun-gov-2024")
    start = text.index("18858")
    record = gold("lianyun-gov-2024")
    record.set_cell("section2.licensing.decisions", 18558)
    evidence = {"section2.licensing.decisions": Evidence(token="18858", span=(start, start + 5))}

    # Only this cell has evidence here; the others are named once per row as unverifiable (warnings).
    [flag] = [f for f in validate(record, evidence=evidence, source_text=text) if f.severity == "error"]

    assert (flag.rule, flag.kind, flag.expected, flag.found, flag.suspect, flag.suggestion) == (
        "GROUNDING", "extraction", 18858, 18558, "section2.licensing.decisions", 18858,
    )
    assert flag.message == "读取有误：行政许可·本年处理决定数量读作18558，但原文该处印的是“18858”。"

    evidence["section2.licensing.decisions"] = Evidence(token="18558", span=(start, start + 5))
    [flag] = [f for f in validate(record, evidence=evidence, source_text=text) if f.severity == "error"]
    assert "证据位置上的原文是“18858”而不是“18558”" in flag.message


def test_values_without_evidence_are_named_when_the_rest_has_some() -> None:
    record = gold("lianyun-gov-2024")
    text, evidence = printed_source(record)
    del evidence["section4.review.upheld"], evidence["section4.review.total"]

    [flag] = validate(record, evidence=evidence, source_text=text)

    assert (flag.rule, flag.severity, flag.cells) == (
        "GROUNDING", "warning", ["section4.review.upheld", "section4.review.total"],
    )


def test_a_source_that_does_not_add_up_is_told_apart_from_a_misreading() -> None:
    printed = gold("lianyun-gov-2024")
    printed.set_cell("section4.review.total", 10)  # the agency printed 10 for 2+2+1+4
    text, evidence = printed_source(printed)

    assert rules(validate(printed, evidence=evidence, source_text=text)) == [("S4_TOTAL", "error", "source")]

    misread = printed.model_copy(deep=True)
    misread.set_cell("section4.review.total", 9)  # our reading "fixed" it: the document's error is hidden
    assert rules(validate(misread, evidence=evidence, source_text=text)) == [("GROUNDING", "error", "extraction")]

    consistent = gold("lianyun-gov-2024")
    text, evidence = printed_source(consistent)
    consistent.set_cell("section4.review.pending", 5)  # a real misreading: of five cells, only it is not as printed
    flags = validate(consistent, evidence=evidence, source_text=text)
    assert rules(flags) == [("S4_TOTAL", "error", "extraction"), ("GROUNDING", "error", "extraction")]
    assert (flags[0].suspect, flags[0].suggestion) == ("section4.review.pending", 4)


def test_fingerprints_survive_a_rerun_and_tell_findings_apart() -> None:
    def misprinted() -> Record:
        record = gold("lianyun-gov-2024")
        record.set_cell("section3.granted.total", 27)
        return record

    first, again = validate(misprinted()), validate(misprinted())

    assert [f.fingerprint for f in first] == [f.fingerprint for f in again]
    assert len({f.fingerprint for f in first}) == len(first) == 2
