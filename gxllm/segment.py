"""Sections 一 to 六, the template version, the year reported on and the agency.

Headings are found by their words, not their numbers: reports renumber them,
drop the numbers, or run the first sentence on after the heading. Sections
come in order, so of all heading candidates the longest increasing run wins.
"""

from __future__ import annotations

import re
from collections import Counter

from gxllm.document import RUN_IN_LINE, Compact, NormalizedText, Section, Segmented
from gxllm.lexicon import line_words
from gxllm.record import Evidence
from gxllm.template import (
    SECTION_HEADINGS,
    TABLE_OPENINGS,
    TEMPLATES,
    TemplateVersion,
    template_for_year,
)

_NUMERAL = r"(?:[一二三四五六七八九十]{1,2}\s*[、.,:]|第[一二三四五六]部分\s*[、.,:]?)"
_MID_LINE_NUMERAL = re.compile(r"[一二三四五六]\s*、")
# Marks around a name in a list of names (A、B和C): no heading stands there.
_LISTED = tuple("、,，和及与由")
# A heading line with at most this much after the heading's words is a
# heading alone ("五、存在的主要问题及下一步工作计划"): its body starts on the next line.
_HEADING_TAIL = 12
# An un-numbered heading stands on a short line of its own.
_MAX_BARE_HEADING = 30
_YEAR = r"(20[0-4]\d)"
_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间|周期)[^。\n]{0,12}?" + _YEAR)
# "莆田市城市管理局2020年度政府信息公开工作年度报告", or the year first:
# "2025年上海市人民政府办公厅政府信息公开工作年度报告".
_TITLE = re.compile(
    r"(?:(?P<lead>20[0-4]\d)年度?)?(?P<agency>[\u4e00-\u9fff()·]{2,40}?)(?:(?P<year>20[0-4]\d)年度?)?度?"
    r"政府信息公开(?:工作)?(?:年度)?报告"
)
_PLACE_ENDINGS = ("省", "市", "县", "区", "州", "旗", "镇", "乡")
# Words of a sentence or a document's name, never of an agency.
_NOT_AGENCY = re.compile(r"关于|印发|通知|公布|发布|根据|按照")
_PUBLISHER = re.compile(r"发布机构\s*[:|\t]?\s*(?P<agency>[\u4e00-\u9fff()·]{2,40})")
# What a title's line may print after it, set off: a site's name ("-沭阳县发改局"), a year.
_TITLE_TAIL = 20
_TITLE_TAIL_OPENS = "-_|—–(（[【"
_TITLE_NOISE = re.compile(r"^(?:附件\d*|标题|题目|关于)")


# (section number, heading start, body start, line end, numbered)
Candidate = tuple[int, int, int, int, bool]


def _heading_candidates(text: str) -> list[Candidate]:
    """Every heading-like line (and, in a page run into one line, every
    heading inside it, numbered or worded as the template words it), in text order."""
    found = []
    offset = 0
    for line in text.split("\n"):
        starts = [offset + line_words(line)[0]]
        if len(line) > RUN_IN_LINE:
            numbered = [offset + m.start() for m in _MID_LINE_NUMERAL.finditer(line)]
            # a heading without its number, as the template words it
            bare = [
                offset + m.start()
                for heading in SECTION_HEADINGS.values()
                for m in re.finditer(heading.pattern, line)
                if not _MID_LINE_NUMERAL.search(line[max(0, m.start() - 3) : m.start()])
                # "本报告由总体情况、主动公开政府信息情况、…组成" names the sections, it opens none
                and line[m.start() - 1 : m.start()] not in _LISTED
                and line[m.end() : m.end() + 1] not in _LISTED
            ]
            starts += sorted(start for start in {*numbered, *bare} if start > starts[0])
        for start in starts:
            candidate = _heading_at(text, start, offset + len(line), mid_line=start != starts[0])
            if candidate is not None:
                found.append(candidate)
        offset += len(line) + 1
    return found


def _heading_at(text: str, start: int, line_end: int, *, mid_line: bool) -> Candidate | None:
    stripped = text[start:line_end].rstrip()
    numeral = re.match(_NUMERAL + r"\s*", stripped)
    rest_at = numeral.end() if numeral else 0
    rest = stripped[rest_at:]
    for number, heading in SECTION_HEADINGS.items():
        match = re.match(heading.pattern, rest)
        if match is None and numeral:
            match = re.match(heading.loose, rest)
        if match is None:
            continue
        if not numeral and not mid_line and len(stripped) > _MAX_BARE_HEADING:
            return None
        body = start + rest_at + match.end()
        tail = text[body:line_end]
        if len(tail.strip()) <= _HEADING_TAIL and not re.search(r"[。;；]", tail):
            body = line_end
        # A run-in heading ends at its punctuation; keep that out of the body.
        while body < line_end and text[body] in ":。. ":
            body += 1
        return (number, start, body, line_end, bool(numeral))
    return None


def _ordered(candidates: list[Candidate], text: str) -> list[Candidate]:
    """The run of candidates whose section numbers strictly increase that scores
    best: headings count, a numbered one twice, and one with no body before the
    next heading counts against (a heading printed twice keeps the copy that
    opens its text)."""

    def score(candidate: Candidate, end: int) -> int:
        """A numbered heading counts 2, a bare one 1, one with nothing under it -1."""
        if not text[candidate[2] : end].strip():
            return -1
        return 2 if candidate[4] else 1

    # best[i]: (score, chain) of the best run starting at candidate i
    best: list[tuple[int, list[Candidate]]] = [(0, [])] * len(candidates)
    for i in range(len(candidates) - 1, -1, -1):
        here = candidates[i]
        options = [(score(here, len(text)), [here])]
        for j in range(i + 1, len(candidates)):
            if candidates[j][0] > here[0]:
                after, chain = best[j]
                options.append((after + score(here, candidates[j][1]), [here, *chain]))
        best[i] = max(options, key=lambda option: option[0])
    return max(best, key=lambda option: option[0], default=(0, []))[1]


def find_sections(text: str) -> dict[int, Section]:
    candidates = _heading_candidates(text)
    chosen = _ordered(candidates, text)
    # A heading printed out of order ("六、…" before "五、…") is still its
    # section's: the copy that leaves the section before it a body. A bare one
    # (no number) only when no numbered copy is printed, and after the section
    # numbered before it.
    for number in sorted({c[0] for c in candidates} - {c[0] for c in chosen}):
        copies = [c for c in candidates if c[0] == number and c[4]]
        if not copies:
            after = max((c[1] for c in chosen if c[0] < number), default=-1)
            copies = [c for c in candidates if c[0] == number and c[1] > after]
        if copies:
            chosen.append(next((c for c in copies if not _empties_the_one_before(c, chosen, text)), copies[-1]))
    chosen.sort(key=lambda c: c[1])
    sections: dict[int, Section] = {}
    for index, (number, start, body, _line_end, _numbered) in enumerate(chosen):
        end = chosen[index + 1][1] if index + 1 < len(chosen) else len(text)
        sections[number] = Section(number=number, heading=text[start:body].strip(), start=body, end=end)
    return _sixth_after_fifth(text, _fifth_without_heading(text, _tables_without_headings(text, sections)))


def _empties_the_one_before(candidate: Candidate, chosen: list[Candidate], text: str) -> bool:
    before = max((c for c in chosen if c[1] < candidate[1]), key=lambda c: c[1], default=None)
    return before is not None and not text[before[2] : candidate[1]].strip()


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
            own = _TITLE_NOISE.sub("", _compact(cell))
            # A title broken over two or three lines (a scan's large type): the
            # agency must stand whole on this line, the title running on below.
            for more in (1, 2):
                if match is not None or index + more >= len(lines):
                    break
                rest = "".join(re.split(r"[|\t]", following)[0] for following in lines[index + 1 : index + 1 + more])
                joined = _title_match(cell + rest)
                if joined is not None and joined.end("agency") <= len(own) < joined.end():
                    match = joined
            if match is None:
                continue
            printed = match.group("year") or match.group("lead")
            found.append((match.group("agency"), int(printed) if printed else None, offsets[index]))
    return found


def _title_match(cell: str) -> re.Match[str] | None:
    """The title a cell prints: the whole cell, or the cell less a site's name after it.

    A title named inside a sentence (现将编制的…年度报告予以公布, …年度报告汇总发布栏目)
    or a document's name cited (…年度报告格式>的通知) is no title.
    """
    text = _TITLE_NOISE.sub("", _compact(cell))
    match = _TITLE.match(text, len(text) - len(text.lstrip(":：")))
    if match is None or match.group("agency").startswith(("本", "年")) or _NOT_AGENCY.search(match.group("agency")):
        return None
    tail = text[match.end() :]
    if _MID_LINE_NUMERAL.match(tail):
        return match  # a page run into one line: the first heading runs on after the title
    if tail and (tail[0] not in _TITLE_TAIL_OPENS or len(tail) > _TITLE_TAIL or re.search(r"[。,，;；]", tail)):
        return None
    return match


def _expand_abbreviation(agency: str, text: str) -> str:
    """连云区科技局 → 连云区科学技术局 when the body names the agency in full and
    never as the title does (莆田市人民政府办公室 is a name of its own)."""
    compact = _compact(text)
    if agency.endswith(_PLACE_ENDINGS) and agency + "人民政府" in compact:
        return agency + "人民政府"  # a title that names only the place: its government's report
    if len(agency) < 3 or compact.count(agency) > 1:
        return agency
    # The place name (its first three characters) must be the same.
    pattern = re.escape(agency[:3]) + r"[\u4e00-\u9fff]{1,20}?" + re.escape(agency[-1])
    expansions = Counter(
        m.group(0)
        for m in re.finditer(pattern, compact)
        if len(m.group(0)) > len(agency) and _is_subsequence(agency, m.group(0))
    )
    return expansions.most_common(1)[0][0] if expansions else agency


# The signature: the agency's name on a line of its own, the date below it.
_SIGNED_DATE = re.compile(
    r"\s*(?:20\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|二[〇○零O0]\s*[〇○零一二三四五六七八九]\s*[〇○零一二三四五六七八九]\s*年"
    r"\s*[一二三四五六七八九十]{1,2}\s*月\s*[一二三四五六七八九十]{1,3}\s*日)\s*"
)
_AGENCY_NAME = re.compile(r"[\u4e00-\u9fff()（）]{3,30}(?:局|委员会|委|办公室|办|厅|政府|中心|院|署|会|所|处|站)")
# Lines a date may be printed over.
_DATE_PIECES = 6
# Lines from the end looked at for the signature (closing words and page furniture come after it).
_SIGNATURE_LINES = 12


def _signature(text: str) -> tuple[int, int] | None:
    """The span of the agency's name signed above the date at the report's end."""
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((offset, line))
        offset += len(line) + 1
    lines = [(o, line) for o, line in lines if line.strip()][-_SIGNATURE_LINES:]
    for index, (start, name) in enumerate(lines):
        if not _AGENCY_NAME.fullmatch(name.strip()):
            continue
        # Dumps print the date one piece a line: "202" / "1" / "年" / "1月" / "13" / "日".
        date = ""
        for _, piece in lines[index + 1 : index + 1 + _DATE_PIECES]:
            date += piece.strip()
            if _SIGNED_DATE.fullmatch(date):
                lead = len(name) - len(name.lstrip())
                return start + lead, start + lead + len(name.strip())
    return None


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
    # Years are read with line breaks taken out: dumps print "2024" as "20" / "24".
    compact = Compact.of(text)
    period = _PERIOD.search(compact.text)
    if period:
        year = int(period.group(1))
        evidence["year"] = normalized.evidence(*compact.span(*period.span(1)), note="统计期限")
    elif any(y for _, y, _ in titles):
        year = next(y for _, y, _ in titles if y)
        evidence["year"] = Evidence(token=str(year), method="rule", note="title")
    else:
        body = Compact.of(text[sections[1].start : sections[1].end]) if 1 in sections else compact
        match = re.search(_YEAR + r"年", body.text)
        if match:
            offset = sections[1].start if 1 in sections else 0
            start, end = body.span(*match.span(1))
            year = int(match.group(1))
            evidence["year"] = normalized.evidence(offset + start, offset + end, note="first year named in 总体情况")

    agency = None
    if titles:
        agency = _expand_abbreviation(titles[0][0], text)
        evidence["agency"] = Evidence(token=titles[0][0], method="rule", note="title")
    else:
        publisher = _PUBLISHER.search(text)
        signed = _signature(text)
        if publisher:
            agency = publisher.group("agency")
            evidence["agency"] = normalized.evidence(publisher.start("agency"), publisher.end("agency"), note="发布机构")
        elif signed:
            agency = text[signed[0] : signed[1]]
            evidence["agency"] = normalized.evidence(*signed, note="signed at the end, above the date")

    table_text = "".join(text[sections[n].start : sections[n].end] for n in (2, 3, 4) if n in sections)
    template = detect_template(table_text or text, year)
    return Segmented(
        text=normalized, sections=sections, row_labels=count_row_labels(table_text or text), template=template,
        year=year, agency=agency, evidence=evidence,
    )
