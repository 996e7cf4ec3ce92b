"""Which of section 五's items are problems and which are remedies.

Reports state the problems first and the remedies after, and mark the turn
with a sub-heading ((二)改进情况), a lead-in (我局将采取以下措施进行改进:), the
opening words of a sentence (下一步,我区将…), or simply by starting a second
list (一是… 二是… then 一是… again). The items themselves are not judged by
their wording: a problem can read "需进一步加强" just as a remedy does.
"""

from __future__ import annotations

import re
from typing import Literal

from gxllm.narrative.clauses import Clause, marker_order

Theme = Literal["problems", "remedies"]

# Forward-looking words: a lead-in with them introduces what will be done.
_REMEDY_STRONG = re.compile(r"措施|举措|下一步|下步|接下来|下阶段|将")
# "存在一些问题", "仍有不足": a lead-in that introduces problems.
_PROBLEM = re.compile(r"(?:存在|面临|还有|仍有|尚有)[^,，:：。]{0,10}?(?:问题|不足|短板|差距|欠缺)")
_REMEDY_WEAK = re.compile(r"改进|整改|今后|计划|打算|努力方向")
_PROBLEM_WEAK = re.compile(r"问题|不足|短板|差距")
# A section that only says "无" or "暂无" lists nothing.
_NOTHING = re.compile(r"(?:暂|均)?(?:无|没有)(?:问题|相关情况|其他需要报告的事项)?")


def theme_of(text: str) -> Theme | None:
    """The theme a heading or lead-in announces, if it names one."""
    if _REMEDY_STRONG.search(text):
        return "remedies"
    if _PROBLEM.search(text):
        return "problems"
    if _REMEDY_WEAK.search(text):
        return "remedies"
    if _PROBLEM_WEAK.search(text):
        return "problems"
    return None


def split_themes(clauses: list[Clause]) -> dict[Theme, list[Clause]]:
    """The items of ``clauses`` (from :func:`candidate_clauses`) by theme."""
    themes: dict[Theme, list[Clause]] = {"problems": [], "remedies": []}
    theme: Theme = "problems"
    styles_used: set[str] = set()  # numbering styles already listed under ``theme``
    for clause in clauses:
        if _NOTHING.fullmatch(clause.text):
            continue
        if clause.kind != "item":
            announced = theme_of(clause.text)
            if announced is not None and announced != theme:
                theme, styles_used = announced, set()
            continue
        if clause.marker:
            style, number = marker_order(clause.marker)
            if number == 1 and style in styles_used and theme == "problems":
                # A second list with no lead-in of its own: the remedies.
                theme, styles_used = "remedies", set()
            styles_used.add(style)
        themes[theme].append(clause)
    return themes
