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
from gxllm.template import TABLE_OPENINGS, TEMPLATES, TemplateVersion, template_for_year

_NUMERAL = r"(?:[一二三四五六七八九十]{1,2}\s*[、.,:]|第[一二三四五六]部分\s*[、.,:]?)"
# (number-free title, looser title accepted only after a section numeral)
# A numbered heading may open with a few words of its own ("二、行政机关主动
# 公开…", "五、政府信息公开工作存在的主要问题…").
_PREFIX = r"[^\n。，,]{0,10}?"
_HEADINGS: dict[int, tuple[str, str]] = {
    1: (r"总体情况", r"总体情况|概述"),
    2: (r"主动公开政府信息(?:的)?情况", _PREFIX + r"主动公开[^\n。]{0,10}情况"),
    3: (
        r"收到和处理政府信息公开申请(?:的)?情况",
        _PREFIX + r"(?:收到和处理|依申请公开)[^\n。]{0,16}情况",
    ),
    4: (
        r"[^\n。]{0,16}行政复议[^\n。]{0,12}行政诉讼[^\n。]{0,4}情况",
        r"[^\n。]{0,16}行政复议[^\n。]{0,12}行政诉讼[^\n。]{0,4}",
    ),
    5: (
        r"存在的?(?:主要)?(?:问题|不足)(?:及|和|与)?(?:改进|整改)(?:情况|措施)?|存在的?主要问题",
        _PREFIX + r"(?:存在的?)?(?:主要)?(?:问题|不足)[^\n。]{0,12}",
    ),
    6: (
        r"其他需要?(?:报告|说明)的?事项|其他应说明的?事项",
        r"其他(?:需要?|应)?(?:报告|说明)?的?事项|其他需(?:要)?报告[^\n。]{0,4}",
    ),
}
# A heading line with at most this much after the heading's words is a
# heading alone ("五、存在的主要问题及下一步工作计划"): its body starts on the next line.
_HEADING_TAIL = 12
# An un-numbered heading stands on a short line of its own.
_MAX_BARE_HEADING = 30
_YEAR = r"(20[0-4]\d)"
_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间|周期)[^。\n]{0,12}?" + _YEAR)
_TITLE = re.compile(
    r"(?P<agency>[\u4e00-\u9fff()·]{2,40}?)(?:" + _YEAR + r"年度?)?度?政府信息公开(?:工作)?(?:年度)?报告"
)
_PUBLISHER = re.compile(r"发布机构\s*[:|\t]?\s*(?P<agency>[\u4e00-\u9fff()·]{2,40})")
_TITLE_NOISE = re.compile(r"^(?:附件\d*|标题|题目|关于)")


# (section number, heading start, body start, line end, numbered)
Candidate = tuple[int, int, int, int, bool]


def _heading_candidates(text: str) -> list[Candidate]:
    """Every heading-like line, in text order."""
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
            tail = text[body : offset + len(line)]
            if len(tail.strip()) <= _HEADING_TAIL and not re.search(r"[。;；]", tail):
                body = offset + len(line)
            # A run-in heading ends at its punctuation; keep that out of the body.
            while body < offset + len(line) and text[body] in ":。. ":
                body += 1
            found.append((number, start, body, offset + len(line), bool(numeral)))
            break
        offset += len(line) + 1
    return found


def _ordered(candidates: list[Candidate], text: str) -> list[Candidate]:
    """The run of candidates whose section numbers strictly increase that has
    the most headings (a numbered one counting twice), then the most sections
    with a body: a heading printed twice keeps the copy that opens its text."""

    def has_body(candidate: Candidate, end: int) -> int:
        return int(bool(text[candidate[2] : end].strip()))

    # best[i]: (score, chain) of the best run starting at candidate i
    best: list[tuple[tuple[int, int], list[Candidate]]] = [((0, 0), [])] * len(candidates)
    for i in range(len(candidates) - 1, -1, -1):
        here = candidates[i]
        weight = 2 if here[4] else 1
        options = [((weight, has_body(here, len(text))), [here])]
        for j in range(i + 1, len(candidates)):
            if candidates[j][0] > here[0]:
                (heads, bodies), chain = best[j]
                options.append(((heads + weight, bodies + has_body(here, candidates[j][1])), [here, *chain]))
        best[i] = max(options, key=lambda option: option[0])
    return max(best, key=lambda option: option[0], default=((0, 0), []))[1]


def find_sections(text: str) -> dict[int, Section]:
    candidates = _heading_candidates(text)
    chosen = _ordered(candidates, text)
    # A numbered heading printed out of order ("六、…" before "五、…") is still its section's.
    numbers = {c[0] for c in chosen}
    chosen += [c for c in candidates if c[4] and c[0] not in numbers and not numbers.add(c[0])]  # type: ignore[func-returns-value]
    chosen.sort(key=lambda c: c[1])
    sections: dict[int, Section] = {}
    for index, (number, start, body, _line_end, _numbered) in enumerate(chosen):
        end = chosen[index + 1][1] if index + 1 < len(chosen) else len(text)
        sections[number] = Section(number=number, heading=text[start:body].strip(), start=body, end=end)
    return _sixth_after_fifth(text, _fifth_without_heading(text, _tables_without_headings(text, sections)))


def _tables_without_headings(text: str, sections: dict[int, Section]) -> dict[int, Section]:
    """A table section whose heading is missing starts where its table does,
    inside the section printed before it."""
    for number, opening in TABLE_OPENINGS.items():
        if number in sections:
            continue
        before = max((s for s in sections.values() if s.number < number), key=lambda s: s.number, default=None)
        after = min((s for s in sections.values() if s.number > number), key=lambda s: s.number, default=None)
        if before is None or after is None or before.end > after.start:
            continue
        match = re.search(opening, text[before.start : before.end])
        if match is None:
            continue
        start = before.start + match.start()
        sections[number] = Section(number=number, heading="", start=start, end=before.end)
        sections[before.number] = before.model_copy(update={"end": start})
    return dict(sorted(sections.items()))


# A numbered title line naming problems or their improvement: (一)主要问题,
# (一)2024年工作中存在问题的改进情况.
_FIFTH_SUBHEADING = re.compile(
    r"^[ \t]*[(（][一二三四五六七八九十][)）][^\n。;；,，]{0,24}?(?:问题|不足|改进|整改)[^\n。;；,，]{0,8}$", re.MULTILINE
)


def _fifth_without_heading(text: str, sections: dict[int, Section]) -> dict[int, Section]:
    """Section 五 whose heading is missing starts at its first sub-heading after section 四's table."""
    fourth = sections.get(4)
    if 5 in sections or fourth is None:
        return sections
    match = _FIFTH_SUBHEADING.search(text, fourth.start, fourth.end)
    if match is None:
        return sections
    start = match.start() + len(match.group()) - len(match.group().lstrip())
    sections[5] = Section(number=5, heading="", start=start, end=fourth.end)
    sections[4] = fourth.model_copy(update={"end": start})
    return dict(sorted(sections.items()))


# A numbered title line naming what section 六 reports: the 信息处理费, the year's
# 工作要点, the deputies' proposals.
_SIXTH_SUBHEADING = re.compile(
    r"^[ \t]*[(（][一二三四五六七八九十][)）][^\n。;；,，]{0,20}?"
    r"(?:处理费|信息费|收费|工作要点|建议[和及]?提案|政务公开[^\n。;；,，]{0,6}落实)[^\n。;；,，]{0,10}$",
    re.MULTILINE,
)


def _sixth_after_fifth(text: str, sections: dict[int, Section]) -> dict[int, Section]:
    """Section 六 whose heading was printed right before 五's, with nothing under it,
    starts at its first sub-heading inside 五."""
    fifth, sixth = sections.get(5), sections.get(6)
    if fifth is None or sixth is None or sixth.start > fifth.start or text[sixth.start : sixth.end].strip():
        return sections
    match = _SIXTH_SUBHEADING.search(text, fifth.start, fifth.end)
    if match is None:
        return sections
    start = match.start() + len(match.group()) - len(match.group().lstrip())
    sections[6] = sixth.model_copy(update={"start": start, "end": fifth.end})
    sections[5] = fifth.model_copy(update={"end": start})
    return sections


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


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
        text=normalized, sections=sections, template=template, year=year, agency=agency, evidence=evidence
    )
