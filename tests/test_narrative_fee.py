"""The 信息处理费 statement: charged or not, the sum, the sentence, and where it was read."""

from __future__ import annotations

import pytest

from gxllm.document import NormalizedText, Segmented
from gxllm.narrative.fee import read_fee
from tests.report_text import segmented
from tests.test_narrative_lists import report


@pytest.mark.parametrize(
    ("sixth", "charged", "amount", "text"),
    [
        ("本年度我局未对政府信息公开申请收取任何费用。", False, None, "本年度我局未对政府信息公开申请收取任何费用。"),
        ("各单位均未收取信息处理费。", False, None, "各单位均未收取信息处理费。"),
        ("本年度没有收取任何费用。", False, None, "本年度没有收取任何费用。"),
        ("不存在收取信息处理费的情况。", False, None, "不存在收取信息处理费的情况。"),
        ("依申请提供政府信息一律免收费用。", False, None, "依申请提供政府信息一律免收费用。"),
        ("信息处理费收取情况：无。", False, None, "信息处理费收取情况:无。"),
        ("本年度收取信息处理费0元。", False, 0, "本年度收取信息处理费0元。"),
        ("共收到申请15件，收取信息处理费1笔，金额200元。", True, 200, "共收到申请15件,收取信息处理费1笔,金额200元。"),
        ("全年共收取信息处理费0.05万元。", True, 500, "全年共收取信息处理费0.05万元。"),
        ("收取信息处理费1,200元。", True, 1200, "收取信息处理费1,200元。"),
        ("本机关按规定收取了信息处理费。", True, None, "本机关按规定收取了信息处理费。"),
        ("本年度发出收费通知0件，总金额0元，实际收取0元。", False, 0, "本年度发出收费通知0件,总金额0元,实际收取0元。"),
        ("1.本年度无收取信息处理费情况。\n2.无其他事项。", False, None, "本年度无收取信息处理费情况。"),
        ("我局2022年度未产生信息公开处理费用。", False, None, "我局2022年度未产生信息公开处理费用。"),
        ("2025 年我局无收取信息费。", False, None, "2025 年我局无收取信息费。"),
        (
            "本年度信息公开处理费收费情况\n2024 年，本局未发生政府信息公开收费事项。",
            False,
            None,
            "2024 年,本局未发生政府信息公开收费事项。",
        ),
        (
            "（一）收取信息处理费情况\n根据《办法》计量标准，本局未收取\n任何信息处理费。",
            False,
            None,
            "根据《办法》计量标准,本局未收取任何信息处理费。",
        ),
    ],
)
def test_fee_statement_in_section_six(sixth, charged, amount, text):
    source = segmented(report("无。", sixth=sixth))
    reading = read_fee(source)
    assert reading.fee.model_dump() == {"charged": charged, "amount_yuan": amount, "text": text}
    span = reading.evidence["fee.text"].span
    assert span is not None and span[0] >= source.sections[6].start


def test_evidence_points_at_the_sentence_the_polarity_and_the_sum():
    source = segmented(report("无。", sixth="经统计，\n本年度收取信息处理费\n200元。"))
    evidence = read_fee(source).evidence
    assert evidence["fee.text"].token == "经统计,\n本年度收取信息处理费\n200元。"
    assert evidence["fee.amount_yuan"].token == "200元"
    assert evidence["fee.charged"].token == "200元"
    for item in evidence.values():
        assert item.span is not None and source.text.text[item.span[0] : item.span[1]] == item.token


def test_negation_is_the_charged_evidence():
    evidence = read_fee(segmented(report("无。", sixth="我局未收取信息处理费。"))).evidence
    assert evidence["fee.charged"].token == "未收取"
    assert "fee.amount_yuan" not in evidence


def test_statement_outside_section_six_is_found_when_six_is_silent():
    source = segmented(report("无。", sixth="无其他需要报告的事项。", first="我局全年未收取信息处理费。"))
    reading = read_fee(source)
    assert reading.fee.model_dump() == {"charged": False, "amount_yuan": None, "text": "我局全年未收取信息处理费。"}
    assert reading.evidence["fee.text"].span[1] <= source.sections[5].start


def test_section_six_wins_over_the_rest():
    source = segmented(report("无。", sixth="收取信息处理费300元。", first="我局全年未收取信息处理费。"))
    assert read_fee(source).fee.model_dump() == {"charged": True, "amount_yuan": 300, "text": "收取信息处理费300元。"}


@pytest.mark.parametrize(
    "first",
    [
        "2.申请人逾期未按收费通知要求缴纳费用",
        "行政事业性收费 本年收费金额（单位：万元） 0",
        "（一）收取信息处理费情况",
    ],
)
def test_table_labels_and_headings_are_not_statements(first):
    reading = read_fee(segmented(report("无。", sixth="无。", first=first)))
    assert reading.fee.model_dump() == {"charged": None, "amount_yuan": None, "text": None}
    assert reading.evidence["fee.text"].note.startswith("no statement")


def test_whole_text_is_searched_when_no_section_was_found():
    text = "我局认真落实条例。\n本年度未收取信息处理费。"
    source = Segmented(
        text=NormalizedText(text=text, line_starts=[0, 10], lines=[]),
        sections={},
        row_labels=0,
        template=None,
        year=None,
        agency=None,
    )
    reading = read_fee(source)
    assert reading.fee.model_dump() == {"charged": False, "amount_yuan": None, "text": "本年度未收取信息处理费。"}
    assert reading.evidence["fee.charged"].span == (text.index("未收取"), text.index("未收取") + 3)


def test_a_free_gazette_is_not_a_statement_about_request_fees():
    source = segmented(report("无。", sixth="无。", first="公报刊出12期，提供免费赠阅1.4万本。"))
    assert read_fee(source).fee.model_dump() == {"charged": None, "amount_yuan": None, "text": None}
