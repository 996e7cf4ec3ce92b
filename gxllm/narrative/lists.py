"""Which of section 五's items are problems and which are remedies.

Reports state the problems first and the remedies after, and mark the turn
with a sub-heading ((二)改进情况), a lead-in (我局将采取以下措施进行改进:), the
opening words of a sentence (下一步,我区将…; 对此,…), or simply by starting a
second list (一是… 二是… then 一是… again). The items themselves are not judged
by their wording: a problem can read "需进一步加强" just as a remedy does.
"""

from __future__ import annotations

import re
from typing import Literal

from gxllm.narrative.clauses import THEME_HEADING_RE, Clause, marker_order

ListName = Literal["problems", "remedies"]
LISTS: tuple[ListName, ...] = ("problems", "remedies")

# Forward-looking words: a lead-in with them introduces what will be done.
_REMEDY_STRONG = re.compile(r"措施|举措|下一步|下步|接下来|下阶段|将|对此|为此")
# "存在一些问题", "仍有不足": a lead-in that introduces problems.
_PROBLEM = re.compile(r"(?:存在|面临|还有|仍有|尚有)[^,，:：。]{0,10}?(?:问题|不足|短板|差距|欠缺)")
_REMEDY_WEAK = re.compile(r"改进|整改|今后|计划|打算|努力方向")
_PROBLEM_WEAK = re.compile(r"问题|不足|短板|差距")
# A sub-heading names its list last: 存在问题的改进情况 announces remedies.
_HEADING_NOUN = re.compile(r"(?P<problems>问题|不足|困难|差距)|(?P<remedies>改进|整改|措施|计划|打算|举措|方向|安排|思路|下一步)")
# A section that only says "无" or "暂无" lists nothing.
_NOTHING = re.compile(r"(?:暂|均)?(?:无|没有)(?:问题|相关情况|其他需要报告的事项)?")


def says_nothing(text: str) -> bool:
    """Whether a clause only says there is nothing to report (无, 暂无问题)."""
    return _NOTHING.fullmatch(text) is not None


def list_announced(text: str) -> ListName | None:
    """The list a heading or lead-in announces, if it names one."""
    if THEME_HEADING_RE.fullmatch(text):
        last = list(_HEADING_NOUN.finditer(text))[-1]
        return "problems" if last.lastgroup == "problems" else "remedies"
    if _REMEDY_STRONG.search(text):
        return "remedies"
    if _PROBLEM.search(text):
        return "problems"
    if _REMEDY_WEAK.search(text):
        return "remedies"
    if _PROBLEM_WEAK.search(text):
        return "problems"
    return None


def split_lists(clauses: list[Clause]) -> dict[ListName, list[Clause]]:
    """The items of ``clauses`` (from :func:`candidate_clauses`) by list."""
    lists: dict[ListName, list[Clause]] = {name: [] for name in LISTS}
    current: ListName = "problems"
    styles_used: set[str] = set()  # numbering styles already listed under ``current``
    for clause in clauses:
        if says_nothing(clause.text):
            continue
        if clause.kind in ("heading", "lead_in"):
            announced = list_announced(clause.text)
            if announced is not None and announced != current:
                current, styles_used = announced, set()
            continue
        if clause.kind != "item":
            continue
        if clause.marker:
            style, number = marker_order(clause.marker)
            if number == 1 and style in styles_used and current == "problems":
                # A second list with no lead-in of its own: the remedies.
                current, styles_used = "remedies", set()
            styles_used.add(style)
        lists[current].append(clause)
    return lists
