"""Cutting section text into clauses: markers, lead-ins, spans back into the source."""

from __future__ import annotations

import re
import unicodedata

import pytest

from gxllm.narrative.clauses import (
    candidate_clauses,
    marker_order,
    sentences,
    source_span,
    spans_at_every_grain,
)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def without_breaks(text: str) -> str:
    return re.sub(r"\s*\n\s*", "", text)


def test_spans_point_at_the_clause_text_with_offset():
    text = nfkc("前言。\n但仍存在一些问题：一是公开意识\n 不强。二是队伍建设薄弱。")
    clauses = candidate_clauses(text, offset=100)
    source = " " * 100 + text
    assert [(c.kind, c.marker, c.text) for c in clauses] == [
        ("item", None, "前言"),
        ("lead_in", None, "但仍存在一些问题"),
        ("item", "一是", "公开意识不强"),
        ("item", "二是", "队伍建设薄弱"),
    ]
    for clause in clauses:
        assert without_breaks(source[clause.start : clause.end]) == clause.text


def test_listed_item_takes_the_following_sentences_of_its_paragraph():
    text = nfkc("一是加强管理。继续强化专人负责；明确职责。\n二是丰富方式。以需求为导向。")
    items = [c.text for c in candidate_clauses(text) if c.kind == "item"]
    assert items == ["加强管理。继续强化专人负责;明确职责", "丰富方式。以需求为导向"]


def test_a_new_paragraph_after_the_last_item_is_not_part_of_it():
    text = nfkc("一是加强管理。\n二是丰富方式。\n今后我局将持续改进工作。")
    assert [(c.kind, c.text) for c in candidate_clauses(text)] == [
        ("item", "加强管理"),
        ("item", "丰富方式"),
        ("lead_in", "今后我局将"),
        ("item", "持续改进工作"),
    ]


def test_a_wrapped_line_inside_an_item_continues_it():
    # PDF text: the line ends with 。 in the middle of item 一是, and 二是 follows.
    text = nfkc("一是加强管理。\n继续强化专人负责。二是丰富方式。")
    items = [c.text for c in candidate_clauses(text) if c.kind == "item"]
    assert items == ["加强管理。继续强化专人负责", "丰富方式"]


def test_unlisted_sentence_is_split_at_semicolons_after_its_opening_words():
    text = nfkc("下一步，我区将继续强化组织领导，学习先进经验；进一步规范主动公开；进一步落实解读责任。")
    clauses = candidate_clauses(text)
    assert [(c.kind, c.text) for c in clauses] == [
        ("lead_in", "下一步,我区将"),
        ("item", "继续强化组织领导,学习先进经验"),
        ("item", "进一步规范主动公开"),
        ("item", "进一步落实解读责任"),
    ]


def test_problems_listed_in_one_sentence_after_a_cue_are_split_at_commas():
    text = nfkc(
        "虽取得了一些成效，但还是存在一定问题，主要是制度机制建设不够，信息公开方式有待进一步拓展，队伍建设不够。"
    )
    clauses = candidate_clauses(text)
    assert [c.text for c in clauses if c.kind == "item"] == [
        "制度机制建设不够",
        "信息公开方式有待进一步拓展",
        "队伍建设不够",
    ]
    assert clauses[0].kind == "lead_in" and clauses[0].text.endswith("主要是")


def test_a_sentence_with_commas_and_no_cue_stays_one_item():
    clauses = candidate_clauses(nfkc("我局信息公开工作还存在公开内容不够全面的问题，解读不够深入。"))
    assert [(c.kind, c.text) for c in clauses] == [
        ("item", "我局信息公开工作还存在公开内容不够全面的问题,解读不够深入")
    ]


def test_sentence_announcing_problems_is_a_lead_in():
    clauses = candidate_clauses(
        nfkc("2024年，我区工作取得积极进展，但还存在一些问题和不足。例如，重视不够；参与不足。")
    )
    assert [(c.kind, c.text) for c in clauses] == [
        ("lead_in", "2024年,我区工作取得积极进展,但还存在一些问题和不足"),
        ("lead_in", "例如"),
        ("item", "重视不够"),
        ("item", "参与不足"),
    ]


@pytest.mark.parametrize(
    ("text", "markers"),
    [
        ("（一）公开不全面；（二）更新不及时。", ["(一)", "(二)"]),
        ("1．公开不全面。\n2．更新不及时。", ["1.", "2."]),
        ("1、公开不全面；2、更新不及时。", ["1、", "2、"]),
        ("(1)公开不全面；(2)更新不及时。", ["(1)", "(2)"]),
        ("第一，公开不全面；第二，更新不及时。", ["第一,", "第二,"]),
        ("一、公开不全面。\n二、更新不及时。", ["一、", "二、"]),
        ("一是公开不全面，二是更新不及时。", ["一是", "二是"]),
    ],
)
def test_every_marker_style_starts_an_item(text, markers):
    items = [c for c in candidate_clauses(nfkc(text)) if c.kind == "item"]
    assert [(c.marker, c.text) for c in items] == list(zip(markers, ["公开不全面", "更新不及时"], strict=True))


def test_markers_inside_words_and_numbers_are_not_markers():
    text = nfkc("统一是关键，共计1.5万元。")
    assert [(c.marker, c.text) for c in candidate_clauses(text)] == [(None, "统一是关键,共计1.5万元")]


def test_subheadings_are_headings_not_items():
    text = nfkc("（一）、存在问题\n公开形式单一。\n（二）改进情况\n拓展公开渠道。")
    assert [(c.kind, c.text) for c in candidate_clauses(text)] == [
        ("heading", "存在问题"),
        ("item", "公开形式单一"),
        ("heading", "改进情况"),
        ("item", "拓展公开渠道"),
    ]


@pytest.mark.parametrize(
    ("marker", "order"),
    [
        ("一是", ("shi", 1)),
        ("十二是", ("shi", 12)),
        ("(三)", ("paren_cn", 3)),
        ("2.", ("num", 2)),
        ("第二,", ("di", 2)),
    ],
)
def test_marker_order(marker, order):
    assert marker_order(marker) == order


def test_sentences_keep_the_full_stop_and_split_titles_off():
    text = nfkc("（一）收取信息处理费情况\n根据《办法》，本局未收取\n信息处理费。其他。")
    result = sentences(text, offset=5)
    assert [(c.kind, c.text) for c in result] == [
        ("heading", "收取信息处理费情况"),
        ("sentence", "根据《办法》,本局未收取信息处理费。"),
        ("sentence", "其他。"),
    ]
    sentence, source = result[1], " " * 5 + text
    found = sentence.text.index("未收取信息处理费")
    start, end = source_span(sentence, source, found, found + len("未收取信息处理费"))
    assert source[start:end] == "未收取\n信息处理费"


def test_a_sentence_turning_to_next_steps_does_not_continue_the_item():
    text = nfkc("一是公开意识不强。下一步，我局将加大宣传力度。")
    assert [(c.kind, c.text) for c in candidate_clauses(text)] == [
        ("item", "公开意识不强"),
        ("lead_in", "下一步,我局将"),
        ("item", "加大宣传力度"),
    ]


def test_a_full_line_ending_in_a_full_stop_does_not_end_the_paragraph_of_wrapped_text():
    # Wrapped at 14: the third line ends with 。 only because the sentence ended at the margin.
    text = nfkc(
        "一是加强培训力度，鼓励业务人\n员积极参加政务公开培训活动，\n提高业务水平和专业的素养。\n组织局成员认真学习相关法律条\n文。"
    )
    assert [c.text for c in candidate_clauses(text)] == [
        "加强培训力度,鼓励业务人员积极参加政务公开培训活动,提高业务水平和专业的素养。组织局成员认真学习相关法律条文"
    ]


def test_a_short_line_ending_in_a_full_stop_ends_the_paragraph_of_wrapped_text():
    text = nfkc(
        "一是加强培训力度，鼓励业务人\n员积极参加政务公开培训活动，\n提高素养。\n通过以上方式提升队伍素质水\n平。"
    )
    assert [c.text for c in candidate_clauses(text)] == [
        "加强培训力度,鼓励业务人员积极参加政务公开培训活动,提高素养",
        "通过以上方式提升队伍素质水平",
    ]


def test_a_title_wrapped_over_two_lines_is_one_heading():
    text = nfkc(
        "（一）依据《政府信息公开信息处理费管理办法》收\n取信息处理费情况\n根据计量标准，本局未收取\n任何信息处理费。"
    )
    assert [(c.kind, c.text) for c in sentences(text)] == [
        ("heading", "依据《政府信息公开信息处理费管理办法》收取信息处理费情况"),
        ("sentence", "根据计量标准,本局未收取任何信息处理费。"),
    ]


def items(text: str) -> list[str]:
    return [c.text for c in candidate_clauses(nfkc(text)) if c.kind == "item"]


def test_an_enumeration_after_a_cue_and_colon_is_split_at_commas_without_its_closing_deng():
    clauses = candidate_clauses(nfkc("但仍存在差距。主要表现为：标准化水平还需提升，解读形式不够多样，平台管理仍需加强等。"))
    assert [(c.kind, c.text) for c in clauses] == [
        ("lead_in", "但仍存在差距"),
        ("lead_in", "主要表现为"),
        ("item", "标准化水平还需提升"),
        ("item", "解读形式不够多样"),
        ("item", "平台管理仍需加强"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("如可公开的信息较少，解读方式比较单一等。", ["可公开的信息较少", "解读方式比较单一"]),
        ("如信息数量偏少，无规范性文件；解读首次采用图表，方式不够新颖等。", ["信息数量偏少,无规范性文件", "解读首次采用图表,方式不够新颖"]),
    ],
)
def test_examples_opened_by_ru_and_closed_by_deng_are_items(text, expected):
    assert items(text) == expected


def test_a_sentence_opening_with_ru_that_lists_nothing_stays_whole():
    assert items("如期完成信息公开工作，解读及时。") == ["如期完成信息公开工作,解读及时"]


@pytest.mark.parametrize(
    "text",
    [
        "（一）存在的主要问题。一是公开意识不强。\n（二）改进措施。一是加大宣传力度。",
        "（一）工作中存在的主要问题和困难。\n一是公开意识不强。\n（\n二\n）下\n一\n步\n改进措施。\n一是加大宣传力度。",
    ],
)
def test_numbered_subheadings_are_headings_even_run_in_or_broken_over_lines(text):
    clauses = candidate_clauses(nfkc(text))
    assert [c.text for c in clauses if c.kind == "item"] == ["公开意识不强", "加大宣传力度"]
    assert {c.kind for c in clauses} == {"heading", "item"}


def test_a_sentence_summing_up_after_a_list_is_a_closing_not_an_item():
    text = nfkc("采取以下措施：一是开设专栏。二是调整目录。\n目前，专栏已成功开设，目录调整正在进行中。")
    assert [(c.kind, c.text) for c in candidate_clauses(text)][-3:] == [
        ("item", "开设专栏"),
        ("item", "调整目录"),
        ("closing", "目前,专栏已成功开设,目录调整正在进行中"),
    ]


@pytest.mark.parametrize(("connective", "rest"), [("对此，", "我局积极推进公开"), ("同时，", "组织开展专题培训")])
def test_a_connective_opening_a_sentence_is_a_lead_in(connective, rest):
    clauses = candidate_clauses(nfkc(f"解读方式单一。{connective}{rest}。"))
    assert [(c.kind, c.text) for c in clauses] == [
        ("item", "解读方式单一"),
        ("lead_in", nfkc(connective).rstrip(",")),
        ("item", rest),
    ]


def test_the_last_item_takes_its_paragraph_as_every_item_before_it_did():
    text = nfkc("一是制度需要完善。\n目前制度不够配套。\n二是能力需要提升。\n仍有不规范情况。\n下一步我局将加强培训。")
    assert items(text) == ["制度需要完善。目前制度不够配套", "能力需要提升。仍有不规范情况", "加强培训"]


def test_clauses_opening_with_the_same_subject_are_one_item_each():
    assert items("有些单位工作不够规范，公开停留在表面，有些单位没有长期抓好公开工作。") == [
        "有些单位工作不够规范,公开停留在表面",
        "有些单位没有长期抓好公开工作",
    ]


def test_a_list_printed_inline_inside_an_item_stays_in_that_item():
    text = nfkc("一是\n提升公开意识。\n继续加强工作，从以下方面改进：一是提高认识，强化监督。\n二是\n完善沟通机制。")
    assert items(text) == ["提升公开意识。继续加强工作,从以下方面改进:一是提高认识,强化监督", "完善沟通机制"]


def test_a_section_number_left_alone_at_the_end_is_not_an_item():
    assert items("一是加大宣传力度。\n六、") == ["加大宣传力度"]


def test_spans_at_every_grain_are_sentences_clauses_and_items_once_each():
    text = nfkc("（一）存在问题\n公开内容不够全面，解读不够深入；栏目更新不及时。\n下一步将加强培训。")
    spans = spans_at_every_grain(text, offset=10)
    assert [c.text for c in spans] == [
        "公开内容不够全面,解读不够深入;栏目更新不及时",
        "公开内容不够全面,解读不够深入",
        "公开内容不够全面",
        "解读不够深入",
        "栏目更新不及时",
        "下一步将加强培训",
        "加强培训",
    ]
    source = " " * 10 + text
    assert all(without_breaks(source[c.start : c.end]) == nfkc(c.text) for c in spans)
