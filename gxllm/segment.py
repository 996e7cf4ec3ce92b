"""Sections 一 to 六, the template version, the year reported on and the agency.

Headings are found by their words, not their numbers: reports renumber them,
drop the numbers, or run the first sentence on after the heading. Sections
come in order, so of all heading candidates the longest increasing run wins.
"""

from __future__ import annotations

import re
from collections import Counter

from gxllm.document import NormalizedText, Section, Segmented
from gxllm.record import Evidence
from gxllm.template import TEMPLATES, TemplateVersion, template_for_year

_NUMERAL = r"(?:[一二三四五六七八九十]{1,2}\s*[、.,:]|第[一二三四五六]部分\s*[、.,:]?)"
# (number-free title, looser title accepted only after a section numeral)
_HEADINGS: dict[int, tuple[str, str]] = {
    1: (r"总体情况", r"总体情况|概述"),
    2: (r"主动公开政府信息(?:的)?情况", r"主动公开[^\n。]{0,10}情况"),
    3: (
        r"收到和处理政府信息公开申请(?:的)?情况",
        r"(?:收到和处理|依申请公开)[^\n。]{0,16}情况",
    ),
    4: (
        r"[^\n。]{0,16}行政复议[^\n。]{0,12}行政诉讼[^\n。]{0,4}情况",
        r"[^\n。]{0,16}行政复议[^\n。]{0,12}行政诉讼[^\n。]{0,4}",
    ),
    5: (r"存在的?主要问题(?:及|和)?(?:改进情况)?", r"(?:存在的?)?主要问题[^\n。]{0,8}"),
    6: (r"其他需要报告的事项", r"其他需(?:要)?报告[^\n。]{0,4}"),
}
# An un-numbered heading stands on a short line of its own.
_MAX_BARE_HEADING = 30
_YEAR = r"(20[0-4]\d)"
_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间|周期)[^。\n]{0,12}?" + _YEAR)
_TITLE = re.compile(
    r"(?P<agency>[\u4e00-\u9fff()·]{2,40}?)(?:" + _YEAR + r"年度?)?度?政府信息公开(?:工作)?(?:年度)?报告"
)
_PUBLISHER = re.compile(r"发布机构\s*[:|\t]?\s*(?P<agency>[\u4e00-\u9fff()·]{2,40})")
_TITLE_NOISE = re.compile(r"^(?:附件\d*|标题|题目|关于)")


def _heading_candidates(text: str) -> list[tuple[int, int, int, int]]:
    """(section number, heading start, body start, line end) for every heading-like line."""
    found = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        lead = len(line) - len(line.lstrip())
        numeral = re.match(_NUMERAL + r"\s*", stripped)
        rest_at = numeral.end() if numeral else 0
        rest = stripped[rest_at:]
        for number, (title, loose) in _HEADINGS.items():
            match = re.match(title, rest)
            if match is None and numeral:
                match = re.match(loose, rest)
            if match is None:
                continue
            if not numeral and len(stripped) > _MAX_BARE_HEADING:
                continue
            start = offset + lead
            body = start + rest_at + match.end()
            # A run-in heading ends at its punctuation; keep that out of the body.
            while body < offset + len(line) and text[body] in ":。. ":
                body += 1
            found.append((number, start, body, offset + len(line)))
            break
        offset += len(line) + 1
    return found


def _ordered(candidates: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """The longest run of candidates whose section numbers strictly increase."""
    best: list[list[tuple[int, int, int, int]]] = []
    for candidate in candidates:
        chains = [chain for chain in best if chain[-1][0] < candidate[0]]
        longest = max(chains, key=len, default=[])
        best.append(longest + [candidate])
    return max(best, key=len, default=[])


def find_sections(text: str) -> dict[int, Section]:
    chosen = _ordered(_heading_candidates(text))
    sections: dict[int, Section] = {}
    for index, (number, start, body, _line_end) in enumerate(chosen):
        end = chosen[index + 1][1] if index + 1 < len(chosen) else len(text)
        sections[number] = Section(number=number, heading=text[start:body].strip(), start=body, end=end)
    return sections


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def count_row_labels(text: str) -> int:
    """How many row labels of one template's tables ``text`` prints (the template printing most)."""
    compact = _compact(text)
    return max(
        sum(1 for table in spec.tables for row in table.rows if re.search(row.pattern, compact))
        for spec in TEMPLATES.values()
    )


def detect_template(text: str, year: int | None) -> TemplateVersion | None:
    """The version whose own labels the tables print; the year only breaks ties."""
    compact = _compact(text)
    scores = {
        version: sum(1 for pattern in spec.signature_patterns if re.search(pattern, compact))
        for version, spec in TEMPLATES.items()
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if ranked[0][1] > ranked[1][1]:
        return ranked[0][0]  # type: ignore[return-value]
    return template_for_year(year) if year is not None else None


def _title_candidates(head: str) -> list[tuple[str, int | None, int]]:
    """(agency, year, offset) for each title-like cell in the document's head."""
    found = []
    lines = head.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    for index, line in enumerate(lines):
        for cell in re.split(r"[|\t]", line):
            match = _title_match(cell)
            if match is None and index + 1 < len(lines) and cell is not None:
                # A title broken over two lines: the agency must stand whole
                # on this line, the rest of the title running on to the next.
                own = _TITLE_NOISE.sub("", _compact(cell))
                joined = _title_match(cell + re.split(r"[|\t]", lines[index + 1])[0])
                if joined is not None and joined.end("agency") <= len(own) < joined.end():
                    match = joined
            if match is None:
                continue
            year = int(match.group(2)) if match.group(2) else None
            found.append((match.group("agency"), year, offsets[index]))
    return found


def _title_match(cell: str) -> re.Match[str] | None:
    match = _TITLE.search(_TITLE_NOISE.sub("", _compact(cell)))
    if match is None or match.group("agency").startswith(("本", "年")):
        return None
    return match


def _expand_abbreviation(agency: str, text: str) -> str:
    """连云区科技局 → 连云区科学技术局 when the body names the agency in full."""
    if len(agency) < 3:
        return agency
    # The place name (its first three characters) must be the same.
    pattern = re.escape(agency[:3]) + r"[\u4e00-\u9fff]{1,20}?" + re.escape(agency[-1])
    expansions = Counter(
        m.group(0)
        for m in re.finditer(pattern, _compact(text))
        if len(m.group(0)) > len(agency) and _is_subsequence(agency, m.group(0))
    )
    return expansions.most_common(1)[0][0] if expansions else agency


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def segment(normalized: NormalizedText) -> Segmented:
    text = normalized.text
    sections = find_sections(text)
    first = min((s.start for s in sections.values()), default=len(text))
    head = text[: max(first, min(len(text), 2000))]
    evidence: dict[str, Evidence] = {}

    year = None
    titles = _title_candidates(head)
    period = _PERIOD.search(text)
    if period:
        year = int(period.group(1))
        evidence["year"] = normalized.evidence(period.start(1), period.end(1), note="统计期限")
    elif any(y for _, y, _ in titles):
        year = next(y for _, y, _ in titles if y)
        evidence["year"] = Evidence(token=str(year), method="rule", note="title")
    else:
        body = text[sections[1].start : sections[1].end] if 1 in sections else text
        match = re.search(_YEAR + r"\s*年", body)
        if match:
            offset = sections[1].start if 1 in sections else 0
            year = int(match.group(1))
            evidence["year"] = normalized.evidence(offset + match.start(1), offset + match.end(1), note="first year named in 总体情况")

    agency = None
    if titles:
        agency = _expand_abbreviation(titles[0][0], text)
        evidence["agency"] = Evidence(token=titles[0][0], method="rule", note="title")
    else:
        publisher = _PUBLISHER.search(text)
        if publisher:
            agency = publisher.group("agency")
            evidence["agency"] = normalized.evidence(publisher.start("agency"), publisher.end("agency"), note="发布机构")

    table_text = "".join(text[sections[n].start : sections[n].end] for n in (2, 3, 4) if n in sections)
    template = detect_template(table_text or text, year)
    return Segmented(
        text=normalized, sections=sections, row_labels=count_row_labels(table_text or text), template=template,
        year=year, agency=agency, evidence=evidence,
    )
