"""Problems and remedies of section 五 in each way reports write them, through read → normalise → segment."""

from __future__ import annotations

import re

import pytest

from gxllm.narrative import extract_narrative
from gxllm.narrative.lists import list_announced
from tests.report_text import segmented


def report(fifth: str, sixth: str = "无。", first: str = "我局认真落实政府信息公开工作。") -> str:
    return (
        "测试区科学技术局2024年政府信息公开工作年度报告\n"
        f"一、总体情况\n{first}\n五、存在的主要问题及改进情况\n{fifth}\n六、其他需要报告的事项\n{sixth}"
    )


STYLES = {
    "mixed paragraph": (
        "2024年，我局工作取得了一定成效，但仍然存在不足：一是公开意识不强。二是队伍建设薄弱。"
        "我局将采取以下措施进行改进：一是加大宣传力度。二是加强培训力度。"
    ),
    "sub-headings with numbered items": (
        "（一）存在的主要问题\n1．公开意识不强。\n2．队伍建设薄弱。\n（二）改进措施\n1．加大宣传力度。\n2．加强培训力度。"
    ),
    "paragraphs with a sentence lead-in": (
        "我局工作取得一定成绩，但是也存在一定的问题和不足。一是公开意识不强；二是队伍建设薄弱。\n"
        "为进一步做好信息公开工作，我局采取相应措施。一是加大宣传力度；二是加强培训力度。"
    ),
    "second list with no lead-in": "一是公开意识不强。二是队伍建设薄弱。\n一是加大宣传力度。二是加强培训力度。",
    "colon lead-ins and 第一": "存在问题：第一，公开意识不强；第二，队伍建设薄弱。改进措施：第一，加大宣传力度；第二，加强培训力度。",
    "bracketed numbers on lines": "主要问题：\n(1)公开意识不强；\n(2)队伍建设薄弱。\n改进措施：\n(1)加大宣传力度；\n(2)加强培训力度。",
    "one sentence each": (
        "但还存在一些问题和不足。例如，公开意识不强；队伍建设薄弱。\n下一步，我局将加大宣传力度；加强培训力度。"
    ),
    "bare sub-headings": "存在问题\n公开意识不强；队伍建设薄弱。\n改进措施\n加大宣传力度；加强培训力度。",
    "focusing sentence then list": (
        "存在的问题主要是公开意识不强，队伍建设薄弱。针对以上问题，我局将从以下方面改进：（一）加大宣传力度；（二）加强培训力度。"
    ),
    "inline headings with colons": "存在的主要问题：公开意识不强；队伍建设薄弱。改进情况：加大宣传力度；加强培训力度。",
    "主要表现在 and 针对上述问题": (
        "我局工作虽然取得了一定成效，但与上级要求相比还存在一定差距，主要表现在：一是公开意识不强；二是队伍建设薄弱。\n"
        "针对上述问题，我局将采取以下措施：一是加大宣传力度；二是加强培训力度。"
    ),
    "year and subject opening the remedies": "公开意识不强；队伍建设薄弱。2025年，我局将加大宣传力度；加强培训力度。",
    "one paragraph turning at 对此": "但还存在不足。如公开意识不强，队伍建设薄弱等。对此，加大宣传力度；加强培训力度。",
    "cue and colon, then sentences joined by 同时": (
        "工作仍有差距，主要表现为：公开意识不强，队伍建设薄弱等。\n下一步，我局将加大宣传力度。同时，加强培训力度。"
    ),
    "numbered sub-headings with full stops": "（一）存在的主要问题。\n一是公开意识不强；\n二是队伍建设薄弱。\n（二）下一步改进措施。\n一是加大宣传力度；二是加强培训力度。",
    "remedies first, under a heading naming last year's problems": (
        "（一）上年工作中存在问题的改进情况\n一是加大宣传力度。\n二是加强培训力度。\n（二）本年工作中存在的主要问题\n一是公开意识不强。\n二是队伍建设薄弱。"
    ),
    "a table with a column per list": "序号\t存在的主要问题\t改进措施\n1\t公开意识不强。\t加大宣传力度。\n2\t队伍建设薄弱。\t加强培训力度。",
    "a table with a row per list": (
        "| 存在问题 | 一是公开意识不强；二是队伍建设薄弱。 |\n|---|---|\n| 改进措施 | 一是加大宣传力度；二是加强培训力度。 |"
    ),
}


@pytest.mark.parametrize("fifth", STYLES.values(), ids=STYLES.keys())
def test_every_listing_style_gives_the_same_items(fifth):
    narrative = extract_narrative(segmented(report(fifth)))
    assert narrative.problems == ["公开意识不强", "队伍建设薄弱"]
    assert narrative.remedies == ["加大宣传力度", "加强培训力度"]


def test_items_are_source_spans_with_evidence():
    source = segmented(report("一是公开意识\n不强。二是队伍建设薄弱。\n下一步，我局将加大宣传力度。"))
    narrative = extract_narrative(source)
    assert narrative.problems == ["公开意识不强", "队伍建设薄弱"]
    assert narrative.remedies == ["加大宣传力度"]
    for key, item in [("problems.0", "公开意识不强"), ("problems.1", "队伍建设薄弱"), ("remedies.0", "加大宣传力度")]:
        evidence = narrative.evidence[key]
        assert evidence.span is not None
        assert evidence.token == source.text.text[evidence.span[0] : evidence.span[1]]
        assert re.sub(r"\s*\n\s*", "", evidence.token) == item
    assert narrative.evidence["problems.0"].note == "listed as 一是"


def test_a_section_that_says_nothing_has_no_items():
    narrative = extract_narrative(segmented(report("无。")))
    assert (narrative.problems, narrative.remedies) == ([], [])
    assert narrative.evidence["problems"].note == "no problems found in section 五"


def test_missing_section_five_is_noted():
    text = "测试区科学技术局2024年政府信息公开工作年度报告\n一、总体情况\n我局认真落实。\n六、其他需要报告的事项\n无。"
    narrative = extract_narrative(segmented(text))
    assert (narrative.problems, narrative.remedies) == ([], [])
    assert "not found" in (narrative.evidence["remedies"].note or "")


@pytest.mark.parametrize(
    ("heading", "announced"),
    [
        ("存在的主要问题", "problems"),
        ("工作中存在的主要问题和困难", "problems"),
        ("2024年工作中存在问题的改进情况", "remedies"),
        ("下一步工作计划", "remedies"),
        ("整改措施", "remedies"),
    ],
)
def test_a_subheading_announces_the_list_it_names_last(heading, announced):
    assert list_announced(heading) == announced
