"""Sections, template version, year and agency, on the seeds and on damaged variants."""

from __future__ import annotations

import json

import pytest

from gxllm.segment import detect_template, find_sections
from tests.conftest import SEEDS
from tests.report_text import segmented

NAMES = ["haian-kjj-2019", "lianyun-gov-2024", "lanshan-kjj-2023", "lianyun-kjj-2024", "yindu-kjj-2024"]


@pytest.mark.parametrize("name", NAMES)
def test_seed_metadata_equals_gold(name):
    gold = json.loads((SEEDS / f"{name}.gold.json").read_text(encoding="utf-8"))
    result = segmented((SEEDS / f"{name}.txt").read_text(encoding="utf-8"))
    assert (result.agency, result.year, result.template) == (gold["agency"], gold["year"], gold["template"])
    assert sorted(result.sections) == [1, 2, 3, 4, 5, 6]


def test_section_three_inner_numbering_is_not_a_heading():
    text = (SEEDS / "lianyun-kjj-2024.txt").read_text(encoding="utf-8")
    sections = find_sections(segmented(text).text.text)
    body3 = segmented(text).body(3)
    assert "四、结转下年度继续办理" in body3 and "一、本年新收" in body3
    assert sections[4].heading.startswith("四、政府信息公开行政复议")


def test_renumbered_missing_and_run_in_headings():
    text = "\n".join(
        [
            "某县教育局2022年度政府信息公开工作年度报告",
            "总体情况",  # no number
            "我局认真落实。",
            "三、主动公开政府信息情况",  # wrong number
            "规章 0 0 0",
            "收到和处理政府信息公开申请情况",
            "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况",
            "五、存在的主要问题及改进情况:一是公开不够及时。",  # run-in
            "其他需要报告的事项",
            "无。",
        ]
    )
    result = segmented(text)
    assert sorted(result.sections) == [1, 2, 3, 4, 5, 6]
    assert result.body(5).startswith("一是公开不够及时")
    assert result.year == 2022 and result.agency == "某县教育局"


def test_damaged_period_date_gives_the_year():
    result = segmented("某局政府信息公开工作年度报告\n本年度报告中所列数据的统计期限自202311日至20231231日。\n一、总体情况\n")
    assert result.year == 2023


def test_template_from_labels_beats_the_year():
    # A 2021 report that prints the 2019 table labels is read as 2019.
    assert detect_template("本年新制作数量 本年新公开数量 对外公开总数量 政府集中采购", 2021) == "2019"
    assert detect_template("本年制发件数 本年废止件数 现行有效件数", 2019) == "2021"
    assert detect_template("no labels", 2020) == "2019"
    assert detect_template("no labels", None) is None


def test_traditional_report_is_read_in_simplified():
    result = segmented("殷都區科學技術局2024年政府信息公開工作年度報告\n一、總體情況\n二、主動公開政府信息情況\n")
    assert result.agency == "殷都区科学技术局"
    assert result.year == 2024


def test_publisher_field_when_there_is_no_title():
    result = segmented("发布机构: 某市统计局\n一、总体情况\n2021年,我局……\n")
    assert result.agency == "某市统计局"
    assert result.year == 2021


def test_title_with_the_year_first_and_a_cited_format_notice_that_is_no_title():
    result = segmented(
        "2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n"
        "根据《关于印发中华人民共和国政府信息公开工作年度报告格式的通知》编制。\n一、总体情况\n"
    )
    assert (result.agency, result.year) == ("上海市人民政府办公厅", 2025)


def test_a_title_naming_only_the_place_is_its_governments_report():
    result = segmented("标题：三明市2022年政府信息公开工作年度报告\n一、总体情况\n三明市人民政府办公室认真落实。\n")
    assert result.agency == "三明市人民政府"


def test_a_full_name_in_the_title_is_kept_when_the_body_uses_it_too():
    text = "莆田市人民政府办公室2019年度政府信息公开工作年度报告\n一、总体情况\n莆田市人民政府办公室和莆田市人民政府信息公开办公室……\n"
    assert segmented(text).agency == "莆田市人民政府办公室"


def test_agency_signed_above_the_date_when_there_is_no_title_or_publisher():
    text = "一、总体情况\n2023年，我局认真落实。\n六、其他需要报告的事项\n无。\n某县发展和改革局\n2024年1月17日\n"
    result = segmented(text)
    assert result.agency == "某县发展和改革局"
    assert result.evidence["agency"].note.startswith("signed")


@pytest.mark.parametrize(
    ("heading", "number"),
    [
        ("二、行政机关主动公开政府信息情况", 2),
        ("五、存在的主要问题及下一步工作计划", 5),
        ("五、存在的不足和改进措施", 5),
        ("六、其他应说明事项", 6),
        ("六、其他需要报告事项", 6),
    ],
)
def test_headings_as_reports_word_them(heading, number):
    text = f"某局2022年政府信息公开工作年度报告\n一、总体情况\n正文。\n{heading}\n正文二。\n"
    sections = segmented(text).sections
    assert number in sections and sections[number].heading == heading


def test_a_heading_printed_twice_keeps_the_copy_that_opens_its_text():
    text = "\n".join(
        ["一、总体情况", "正文。", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
         "行政复议 0 0 0 0 0", "五、存在的主要问题及改进情况", "一是问题。"]
    )
    result = segmented(text)
    assert "行政复议" in result.body(4) and result.body(5).strip() == "一是问题。"


def test_a_heading_out_of_order_and_a_table_without_its_heading():
    text = "\n".join(
        ["一、总体情况", "正文。", "第二十条第（一）项", "规章 0 0 0", "三、收到和处理政府信息公开申请情况", "申请人情况",
         "四、政府信息公开行政复议、行政诉讼情况", "0", "六、其他需要报告的事项", "五、存在的主要问题及改进情况", "一是问题。"]
    )
    sections = segmented(text).sections
    assert sorted(sections) == [1, 2, 3, 4, 5, 6]
    assert segmented(text).body(2).startswith("第二十条")


def test_a_title_in_large_type_over_three_lines_and_a_date_signed_in_chinese_numerals():
    result = segmented("某市城市管理局\n2020年度政府信息公开\n工作年度报告\n一、总体情况\n我局认真落实。\n")
    assert (result.agency, result.year) == ("某市城市管理局", 2020)
    signed = segmented("一、总体情况\n2020年，我局认真落实。\n某市城市管理局\n二〇二一年一月十三日\n")
    assert signed.agency == "某市城市管理局"


def test_section_five_without_its_heading_starts_at_its_first_subheading_after_the_tables():
    text = (
        "测试局2024年政府信息公开工作年度报告\n一、总体情况\n我局认真落实。\n"
        "四、政府信息公开行政复议、行政诉讼情况\n行政复议\t0\n（一）主要问题\n公开意识不强。\n"
        "（二）改进情况\n加大宣传力度。\n六、其他需要报告的事项\n无。"
    )
    source = segmented(text)
    assert source.body(5).split("\n")[:2] == ["(一)主要问题", "公开意识不强。"]
    assert "主要问题" not in source.body(4)


def test_section_six_printed_before_five_takes_its_subheadings_after_five():
    text = (
        "测试局2024年政府信息公开工作年度报告\n一、总体情况\n我局认真落实。\n"
        "六、其他需要报告的事项\n五、存在的主要问题及改进情况\n一是公开意识不强。\n二是加大宣传力度。\n"
        "（一）信息处理费收取情况\n本年度未收取信息处理费。\n（二）政务公开落实情况\n工作任务全部完成。"
    )
    source = segmented(text)
    assert source.body(5).strip() == "一是公开意识不强。\n二是加大宣传力度。"
    assert source.body(6).startswith("(一)信息处理费收取情况")


def test_a_bare_heading_after_six_and_headings_worded_without_numbers_inside_a_page_run_into_one_line():
    out_of_order = segmented(
        "某局2024年政府信息公开工作年度报告\n一、总体情况\n正文。\n四、政府信息公开行政复议、行政诉讼情况\n0\n"
        "六、其他需要报告的事项\n存在的主要问题及改进情况\n一是问题。\n"
    )
    assert out_of_order.body(5).strip() == "一是问题。"
    page = "某局2024年政府信息公开工作年度报告\n" + "".join(
        ["总体情况", "我局认真落实政府信息公开工作。" * 20, "四、政府信息公开行政复议、行政诉讼情况", "0" * 15,
         "存在的主要问题及改进情况", "一是问题。", "六、其他需要报告的事项", "无。"]
    )
    sections = segmented(page).sections
    assert 5 in sections and segmented(page).body(5) == "一是问题。"


def test_a_report_named_inside_a_sentence_or_a_cited_format_is_no_title():
    # With no title, 发布机构 or signature, the agency is null, never a sentence's words.
    for opening in (
        "根据《关于印发<\n中华人民共和国政府信息公开工作年度报告格式\n>的通知》要求,我局编制完成本报告。",
        "现将编制的某市统计局\n2022年政府信息公开工作年度报告予以公布。",
        "政府网站政府信息公开工作年度报告汇总发布栏目集中统一公开。",
    ):
        result = segmented(f"{opening}\n一、总体情况\n2022年,我局认真落实。\n")
        assert result.agency is None, opening


def test_a_signature_whose_date_is_printed_one_piece_a_line():
    text = "一、总体情况\n2020年，我局认真落实。\n六、其他需要报告的事项\n无。\n某市城市管理局\n202\n1\n年\n1月\n13\n日\n（此件主动公开）\n"
    result = segmented(text)
    assert result.agency == "某市城市管理局"
    assert result.evidence["agency"].note.startswith("signed")


def test_a_long_opening_that_names_the_sections_opens_none_of_them():
    opening = (
        "根据《条例》要求，结合本局工作实际，形成此报告。本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项组成，所列数据涵盖2019年全年。"
    ) * 3  # one line of more than RUN_IN_LINE characters, where headings are looked for mid-line
    text = f"{opening}\n一、\n总体情况\n2019年，我局认真落实。\n二、主动公开政府信息情况\n规章 0 0 0\n"
    result = segmented(text)
    assert result.body(1).strip() == "2019年,我局认真落实。"  # as normalised
    assert result.sections[2].heading == "二、主动公开政府信息情况"
