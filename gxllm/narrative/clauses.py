"""A section's text cut into the clauses its problems, remedies and fee are made of.

Reports break lines anywhere (PDF text wraps mid-word), so the lines are first
joined with their line breaks (and the spaces around them) removed, keeping a
map back to offsets in the normalised text. Every clause is a span of that
joined text: verbatim source text, with a span the evidence can point at.

Two cuts are offered. :func:`candidate_clauses` gives the units a problem or
remedy can be (a listed item with everything up to the next marker, or one
clause of an unlisted sentence), plus the headings and lead-in sentences
between them, so a later stage can tell which is which. :func:`sentences`
gives whole sentences, for statements such as the fee.

Full-width and ASCII punctuation are both accepted: the pipeline passes NFKC
text (ASCII), while the language-model stage may pass whatever it holds.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gxllm.lexicon import line_words

ClauseKind = Literal["heading", "lead_in", "item", "closing", "sentence"]

_CN_DIGITS = "一二三四五六七八九十"
_CN = f"[{_CN_DIGITS}]{{1,3}}"
# List markers as printed: 一是, 第一, (一), 一、, (1), 1. 1、 1). Each named
# group is a numbering style; a new list restarts its style at 1.
MARKER_RE = re.compile(
    rf"(?P<shi>{_CN}是)"
    rf"|(?P<di>第{_CN}[,，、:：])"
    rf"|(?P<paren_cn>[(（]{_CN}[)）])"
    rf"|(?P<cn>{_CN}、)"
    r"|(?P<paren_num>[(（]\d{1,2}[)）])"
    r"|(?P<num>\d{1,2}(?:[.．、](?!\d)|[)）]))"
)
# What may follow a marker before the clause itself: "(一)、", "第一,", "1. ".
_MARKER_SEPARATORS = set("、.．,，:： \t")
# A marker only counts at the start of a line or after one of these.
_BEFORE_MARKER = set("。!?！？;；:：,，")
_SPACES = " \t\u3000"
_SPACES_AFTER_PUNCT = re.compile(f"[{re.escape(''.join(_BEFORE_MARKER))}][{_SPACES}]+")
_TERMINAL = re.compile(r"[。!?！？][”’\"')）」』]*")
_COLON = re.compile(r"[:：]")
_SENTENCE_PUNCT = re.compile(r"[,，;；。!?！？:：]")
_PARAGRAPH_END = re.compile(r"[。!?！？:：][”’\"')）」』]*$")
_EDGE_PUNCT = " \t,，;；:：、。.．!?！？"
_CONTENT = re.compile(r"[\w\u4e00-\u9fff]")

# Sub-headings of section 五: 存在问题, 改进情况, (二)整改措施, (一)工作中存在的主要问题和困难,
# 2024年工作中存在问题的改进情况, 下一步工作计划.
THEME_HEADING_RE = re.compile(
    r"(?:(?:\d{4}\s*|上一?|本|今|去)年度?\s*)?(?:工作中?)?"
    r"(?:(?:存在的?)?(?:主要)?(?:问题|不足|困难)(?:[和及与](?:问题|不足|困难|差距))?(?:的?(?:改进|整改)(?:情况|措施))?"
    r"|(?:下一步|今后)的?(?:工作)?(?:改进|整改)?(?:计划|打算|措施|安排|方向|思路|举措)?"
    r"|(?:改进|整改)(?:情况|措施|方向|计划|举措)?"
    r"|工作(?:计划|打算|措施|安排|思路|方向))"
    r"[:：]?"
)
_ANY_MARKER = re.sub(r"\(\?P<\w+>", "(?:", MARKER_RE.pattern)  # its styles unnamed, to be used twice
# A numbered sub-heading run in inside a line: after spaces or a sentence's end,
# before spaces, a year or the first marker of its list.
_RUN_IN_HEADING = re.compile(
    rf"(?:(?<=[\s。!?！？;；])|^)(?:{_ANY_MARKER})[、.．,，:：]*\s*(?:{THEME_HEADING_RE.pattern})(?=\s|\d|{_ANY_MARKER})"
)
# A title line: a marker and a short phrase with no sentence punctuation.
_TITLE_MAX = 40
_TITLE_END = re.compile(r"(?:情况|事项|问题|不足|措施|举措|方面|工作|计划|打算|方向)$")
# Hard-wrapped text: enough lines broken mid-sentence to measure the width, and
# the share of that width from which a line counts as full.
_MIN_WRAPPED_LINES = 3
_FULL_LINE = 0.9

# A sentence that only announces a list: it ends by naming problems or measures.
LEAD_END_RE = re.compile(
    r"(?:(?:存在|有|面临|出现)着?(?:一些|一定的?|以下|如下|部分|诸多|不少|许多|若干|几点|几个|的|些)*"
    r"(?:主要)?的?(?:问题|不足|短板|差距|困难|薄弱环节)(?:[和与及、](?:问题|不足|短板|差距|困难))?"
    r"|(?:采取|制定|落实)[^,，]{0,8}(?:措施|举措)"
    r"|(?:进行|作出|做出|加以|予以)(?:改进|整改)"
    r"|(?:以下|如下)[^,，]{0,6})$"
)
# Words that open an unlisted item without being part of it: "例如,",
# "下一步,我区将", "2025年,我局将".
_SUBJECT = r"(?:我们|我[^\s,，;；:：。]{1,5}?)"
PREFIX_RE = re.compile(
    r"(?:(?:例如|比如|譬如)[,，:：]"
    r"|(?:对此|为此|同时|此外|另外)[,，]"
    rf"|(?:(?:针对|对于|对照|围绕)[^,，。]{{0,15}}[,，])?"
    rf"(?:(?:下一步|下步|今后|接下来|下阶段|下一阶段)[,，]?(?:{_SUBJECT}?将)?"
    rf"|(?:\d{{4}}年[,，]?)?{_SUBJECT}将))"
)
# Words that turn from what was said to what comes next: a sentence opening
# with them does not continue the listed item before it.
OPENER_RE = re.compile(
    r"(?:针对|对于|对照|围绕)[^,，。]{0,15}(?:问题|不足)|对此|为此|下一步|下步|今后|接下来|下阶段|下一阶段"
)
# Words that sum up or report where things stand after a list: "目前,…已成功开设".
CLOSING_RE = re.compile(r"(?:目前|截至目前|截止目前|总之|综上所述|综上|总的来看|总的来说|总体来看|总体而言)[,，]")
# Words after which a sentence lists its items separated by commas:
# "但还是存在一定问题,主要是A,B,C".
ENUM_CUE_RE = re.compile(
    r"(?:主要(?:是|有|为|表现为|表现在|体现在)|具体(?:是|为|表现为|表现在)|表现(?:为|在)|集中(?:在|于|表现为))"
    r"(?:以下几个方面|以下方面|如下)?[:：,，]?"
)
_ENUM_CUE_AFTER = re.compile(r"(?:问题|不足|差距|短板)的?$")
# "如A,B等。": a sentence opening with an example cue and closed by 等 lists its items.
_EXAMPLE_CUE = re.compile(r"(?:比如|例如|譬如|如(?![下何期实今果此]))[:：,，]?")
_CLOSING_DENG = re.compile(r"等等?$")
# The same subject opening each clause lists them: "有些单位A,有些单位B".
_REPEATED_SUBJECT = re.compile(r"有些|有的|部分|个别|少数|一些")
_ENUM_CUE_BEFORE = re.compile(ENUM_CUE_RE.pattern.removesuffix("[:：,，]?") + r"\s*$")
_SEMICOLON = re.compile(r"[;；]")
_COMMA = re.compile(r"[,，]")


class Clause(BaseModel):
    """A span of the source: ``text`` is ``source[start:end]`` without its line breaks.

    For items the marker (kept in ``marker``) and the punctuation around the
    clause are outside the span.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    start: int
    end: int
    marker: str | None = None
    kind: ClauseKind = "item"


def marker_order(marker: str) -> tuple[str, int]:
    """The numbering style of ``marker`` and its number: "二是" → ("shi", 2)."""
    match = MARKER_RE.fullmatch(marker)
    if match is None or match.lastgroup is None:
        raise ValueError(f"not a list marker: {marker!r}")
    digits = re.sub(r"\D", "", marker)
    number = int(digits) if digits else _chinese_number(re.sub(f"[^{_CN_DIGITS}]", "", marker))
    return match.lastgroup, number


def _chinese_number(numeral: str) -> int:
    if "十" not in numeral:
        return _CN_DIGITS.index(numeral) + 1
    tens, _, ones = numeral.partition("十")
    return (_CN_DIGITS.index(tens) + 1 if tens else 1) * 10 + (_CN_DIGITS.index(ones) + 1 if ones else 0)


@dataclass
class _Line:
    start: int  # offset of the stripped line in the text
    text: str
    kind: Literal["text", "heading", "title", "title_more"] = "text"


@dataclass
class _Joined:
    """The text's non-blank lines, stripped and joined, with offsets back into it."""

    text: str
    index: list[int]
    line_starts: set[int]
    paragraph_starts: set[int]
    hard_cuts: set[int]
    headings: set[int]
    titles: set[int]


def _lines(text: str) -> list[_Line]:
    """The non-blank lines, with headings and title lines marked.

    A title ((一)依据《…》收取信息处理费情况) may be wrapped over several lines; the
    run is taken as one title when together they end like one.
    """
    lines = []
    for match in re.finditer(r"[^\n]+", text):
        for piece_start, piece_end in _run_in_pieces(match.group()):
            piece = match.group()[piece_start:piece_end]
            # a bullet or a heading's brackets are not the line's words
            start, end = line_words(piece)
            if start < end:
                lines.append(_Line(match.start() + piece_start + start, piece[start:end]))
    i = 0
    while i < len(lines):
        marker = MARKER_RE.match(lines[i].text)
        rest = lines[i].text[_after_marker(lines[i].text, marker.end()) :] if marker else lines[i].text
        if THEME_HEADING_RE.fullmatch(rest.rstrip(_EDGE_PUNCT)):
            lines[i].kind = "heading"
        elif marker and not _SENTENCE_PUNCT.search(rest):
            run = _title_run(lines, i)
            lines[i].kind = "title"
            for line in lines[i + 1 : i + run]:
                line.kind = "title_more"
            i += run
            continue
        i += 1
    return lines


def _run_in_pieces(line: str) -> list[tuple[int, int]]:
    """A line cut before and after each numbered sub-heading run in (a page run
    into one line: "…加强。  (二)、改进情况 一是…", "…加强。(二)、改进情况一是…")."""
    cuts = {0, len(line)}
    for heading in _RUN_IN_HEADING.finditer(line):
        cuts.update(heading.span())
    return list(itertools.pairwise(sorted(cuts)))


def _title_run(lines: list[_Line], first: int) -> int:
    """How many lines from ``first`` make up the title that starts there."""
    joined = ""
    for count, line in enumerate(lines[first:], start=1):
        joined += line.text
        if len(joined) > _TITLE_MAX or (count > 1 and _SENTENCE_PUNCT.search(line.text)):
            break
        if _TITLE_END.search(joined):
            return count
    return 1


def _wrap_width(lines: list[_Line]) -> float | None:
    """The width text was hard-wrapped at (PDF text), or None when lines are paragraphs.

    Lines broken in mid-sentence give it; a line that ends a sentence at this
    width was probably wrapped there too, and does not end its paragraph.
    """
    broken = [len(line.text) for line in lines if line.kind == "text" and not _PARAGRAPH_END.search(line.text)]
    return statistics.median(broken) if len(broken) >= _MIN_WRAPPED_LINES else None


def _is_bare_title(text: str, width: float | None) -> bool:
    """A title with no marker: a short line of its own naming a subject (本年度信息公开处理费收费情况)."""
    short = len(text) <= _TITLE_MAX and (width is None or len(text) < _FULL_LINE * width)
    return short and not _SENTENCE_PUNCT.search(text) and bool(_TITLE_END.search(text))


def _join(text: str) -> _Joined:
    joined = _Joined("", [], set(), set(), set(), set(), set())
    parts: list[str] = []
    lines = _lines(text)
    width = _wrap_width(lines)
    paragraph_ended = True
    previous: _Line | None = None
    for line in lines:
        position = len(joined.index)
        joined.line_starts.add(position)
        if paragraph_ended:
            joined.paragraph_starts.add(position)
            if line.kind == "text" and _is_bare_title(line.text, width):
                line.kind = "title"
        parts.append(line.text)
        joined.index.extend(range(line.start, line.start + len(line.text)))
        if previous is not None and previous.kind in ("title", "title_more") and line.kind != "title_more":
            joined.hard_cuts.add(position)
        if line.kind == "heading":
            joined.headings.add(position)
            joined.hard_cuts.update((position, len(joined.index)))
        elif line.kind == "title":
            joined.titles.add(position)
            joined.hard_cuts.add(position)
        paragraph_ended = line.kind == "heading" or (
            bool(_PARAGRAPH_END.search(line.text)) and (width is None or len(line.text) < _FULL_LINE * width)
        )
        previous = line
    joined.text = "".join(parts)
    return joined


@dataclass
class _Unit:
    start: int
    end: int
    marker: str | None
    content_start: int
    paragraph_start: bool
    heading: bool
    line_start: bool


def _marker_at(joined: _Joined, position: int) -> re.Match[str] | None:
    """A list marker at ``position``, when one stands there with a clause after it."""
    text = joined.text
    # Spaces may stand between the punctuation and the marker (a page run into one line: "问题: 一是…").
    before = position
    while before > 0 and text[before - 1] in _SPACES:
        before -= 1
    if before > 0 and before not in joined.line_starts and text[before - 1] not in _BEFORE_MARKER:
        return None
    match = MARKER_RE.match(text, position)
    if match is None:
        return None
    after = _after_marker(text, match.end())
    return match if after < len(text) and _CONTENT.match(text, after) else None


def _after_marker(text: str, position: int) -> int:
    """Where the clause begins after a marker ending at ``position``."""
    while position < len(text) and text[position] in _MARKER_SEPARATORS:
        position += 1
    return position


def _units(joined: _Joined, *, split_lists: bool) -> list[_Unit]:
    text = joined.text
    cuts = {0, len(text)} | joined.hard_cuts | joined.paragraph_starts
    cuts.update(m.end() for m in _TERMINAL.finditer(text))
    if split_lists:
        # "主要表现为:A,B,C等" stays one sentence, so its cue and its items are read together.
        cuts.update(m.end() for m in _COLON.finditer(text) if not _ENUM_CUE_BEFORE.search(text, m.start() - 16, m.start()))
        after_punct = {i + 1 for i, ch in enumerate(text) if ch in _BEFORE_MARKER}
        boundaries = {0} | joined.line_starts | after_punct | {m.end() for m in _SPACES_AFTER_PUNCT.finditer(text)}
        cuts.update(p for p in boundaries if p < len(text) and _marker_at(joined, p))
    units = []
    for start, end in itertools.pairwise(sorted(cuts)):
        start, end = _trim_space(text, start, end)
        marker = _marker_at(joined, start)
        # A number left alone at the end (六、 whose heading words went to the next line) says nothing.
        if not _CONTENT.search(text, start, end) or (marker is None and MARKER_RE.fullmatch(text[start:end])):
            continue
        content_start = _after_marker(text, marker.end()) if marker else start
        # "(二)下一步改进措施。" is a sub-heading even when its line was broken or its text runs on.
        named = marker is not None and THEME_HEADING_RE.fullmatch(text[content_start:end].rstrip(_EDGE_PUNCT))
        units.append(
            _Unit(
                start=start,
                end=end,
                marker=marker.group() if marker else None,
                content_start=content_start,
                paragraph_start=start in joined.paragraph_starts,
                heading=start in joined.headings or bool(named),
                line_start=start in joined.line_starts,
            )
        )
    return units


def _trim_space(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _trim_punct(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCT:
        end -= 1
    return start, end


class _Builder:
    """Turns spans of the joined text into clauses with source offsets."""

    def __init__(self, joined: _Joined, offset: int):
        self.joined = joined
        self.offset = offset
        self.clauses: list[Clause] = []

    def add(self, start: int, end: int, kind: ClauseKind, marker: str | None = None, *, trim: bool = True) -> None:
        if trim:
            start, end = _trim_punct(self.joined.text, start, end)
        if not _CONTENT.search(self.joined.text, start, end):
            return
        self.clauses.append(
            Clause(
                text=self.joined.text[start:end],
                start=self.offset + self.joined.index[start],
                end=self.offset + self.joined.index[end - 1] + 1,
                marker=marker,
                kind=kind,
            )
        )


def sentences(text: str, offset: int = 0) -> list[Clause]:
    """Whole sentences of ``text`` (list markers dropped, final 。 kept).

    Headings and title lines ((一)收取信息处理费情况) come as ``kind="heading"``.
    """
    joined = _join(text)
    builder = _Builder(joined, offset)
    for unit in _units(joined, split_lists=False):
        start, end = _trim_space(joined.text, unit.content_start, unit.end)
        heading = unit.heading or unit.start in joined.titles
        builder.add(start, end, "heading" if heading else "sentence", unit.marker, trim=False)
    return builder.clauses


def spans_at_every_grain(text: str, offset: int = 0) -> list[Clause]:
    """Every span an item of ``text`` could be: each sentence (headings left out), each of
    its ;-clauses and ,-clauses, and each item :func:`candidate_clauses` cuts; once each,
    in text order, a span before the spans inside it."""
    joined = _join(text)
    builder = _Builder(joined, offset)
    for unit in _units(joined, split_lists=False):
        if unit.heading or unit.start in joined.titles:
            continue
        builder.add(unit.content_start, unit.end, "sentence")
        for start, end in _pieces(joined.text, unit.content_start, unit.end, _SEMICOLON) or [(unit.content_start, unit.end)]:
            builder.add(start, end, "sentence")
            for comma_start, comma_end in _pieces(joined.text, start, end, _COMMA):
                builder.add(comma_start, comma_end, "sentence")
    spans = {(c.start, c.end): c for c in builder.clauses}
    for item in candidate_clauses(text, offset):
        if item.kind == "item":
            spans.setdefault((item.start, item.end), item)
    return sorted(spans.values(), key=lambda c: (c.start, -c.end))


def _pieces(text: str, start: int, end: int, separator: re.Pattern[str]) -> list[tuple[int, int]]:
    """The spans ``separator`` cuts ``text[start:end]`` into; none when it does not cut it."""
    cuts = [m.start() for m in separator.finditer(text, start, end)]
    return list(zip([start, *(c + 1 for c in cuts)], [*cuts, end], strict=True)) if cuts else []


def candidate_clauses(text: str, offset: int = 0) -> list[Clause]:
    """The headings, lead-ins, items and closings of a section, in order.

    A listed item (一是…, (一)…, 1.…) runs to the next marker, taking along the
    sentences that follow it in its paragraph. An unlisted sentence gives one
    item per ;-clause, or per ,-clause after a cue such as 主要是 or in 如A,B等;
    the words that only open it (例如, 下一步我局将, 对此) become a lead-in of
    their own. A sentence summing up after a list (目前,…) is a closing.
    Offsets are ``offset`` plus the position in ``text``.
    """
    joined = _join(text)
    units = _units(joined, split_lists=True)
    builder = _Builder(joined, offset)
    item: _Unit | None = None  # the listed item being built
    paragraphs = 0  # paragraphs ``item`` holds so far
    siblings: list[int] = []  # paragraphs held by each earlier item of its list
    nested = False  # ``item`` holds a list of its own, printed inline

    def close() -> None:
        nonlocal item
        if item is not None:
            builder.add(item.content_start, item.end, "item", item.marker)
        item = None

    for i, unit in enumerate(units):
        if unit.heading:
            close()
            builder.add(unit.content_start, unit.end, "heading", unit.marker)
        elif unit.marker and item and nested and not unit.line_start:
            item.end = unit.end
        elif unit.marker:
            siblings = [*siblings, paragraphs] if item is not None and _list_goes_on(item, [unit]) else []
            close()
            item, paragraphs, nested = unit, 1, False
        elif item and _opens_nested_list(joined.text, item, unit, units[i + 1 : i + 2]):
            item.end, nested = unit.end, True
        elif _is_lead_in(joined.text, unit, units[i + 1 : i + 2]):
            close()
            builder.add(unit.start, unit.end, "lead_in")
        elif item and _continues(joined, item, unit, units[i + 1 :], paragraphs, siblings):
            item.end = unit.end
            paragraphs += unit.paragraph_start
        else:
            after_list = item is not None
            close()
            if after_list and CLOSING_RE.match(joined.text, unit.start, unit.end):
                builder.add(unit.start, unit.end, "closing")
            else:
                _add_sentence(builder, unit.start, unit.end)
    close()
    return builder.clauses


def _opens_nested_list(text: str, item: _Unit, unit: _Unit, following: list[_Unit]) -> bool:
    """Whether ``unit`` announces a list inside ``item``: the item's marker starts a
    line, and after the colon the inner list is printed inline (…进行改进:一是…)."""
    nxt = following[0] if following else None
    ends_with_colon = text[unit.start : unit.end].rstrip()[-1:] in ":："
    return item.line_start and ends_with_colon and nxt is not None and nxt.marker is not None and not nxt.line_start


def _continues(
    joined: _Joined, item: _Unit, unit: _Unit, following: list[_Unit], paragraphs: int, siblings: list[int]
) -> bool:
    """Whether the unlisted ``unit`` is more of the listed ``item`` being built.

    It is when the item's list goes on after it, or when it goes on the
    item's paragraph without turning to what comes next. The last item of a
    list whose every item is a title sentence with a paragraph of its own
    (一是工作能力需要提升。/ 在文件制发中……) takes its paragraph too.
    """
    if _list_goes_on(item, following):
        return True
    if _opens_anew(joined, unit):
        return False
    if not unit.paragraph_start:
        return True
    like_siblings = paragraphs == 1 and bool(siblings) and min(siblings) > 1
    return like_siblings and PREFIX_RE.match(joined.text, unit.start, unit.end) is None


def _is_lead_in(text: str, unit: _Unit, following: list[_Unit]) -> bool:
    """Whether an unlisted sentence only announces what follows."""
    body = text[unit.start : unit.end].rstrip(_EDGE_PUNCT)
    nxt = following[0] if following and not following[0].heading else None
    opens_list = nxt is not None and nxt.marker is not None and marker_order(nxt.marker)[1] == 1
    ends_with_colon = text[unit.start : unit.end].rstrip()[-1:] in ":："
    return (
        opens_list
        or (ends_with_colon and nxt is not None and nxt.marker is not None)
        or bool(THEME_HEADING_RE.fullmatch(body))
        or bool(LEAD_END_RE.search(_COMMA.split(body)[-1]))
    )


def _opens_anew(joined: _Joined, unit: _Unit) -> bool:
    """Whether a sentence turns to what comes next (下一步…, 针对上述问题…) rather than going on."""
    return OPENER_RE.match(joined.text, unit.start, unit.end) is not None


def _list_goes_on(item: _Unit, following: list[_Unit]) -> bool:
    """Whether the next marker continues ``item``'s list (二是 after 一是)."""
    assert item.marker is not None
    for unit in following:
        if unit.heading:
            return False
        if unit.marker:
            style, number = marker_order(item.marker)
            return marker_order(unit.marker) == (style, number + 1)
    return False


def _add_sentence(builder: _Builder, start: int, end: int) -> None:
    """One unlisted sentence: its opening words, then its items."""
    text = builder.joined.text
    cue = _enum_cue(text, start, end)
    if cue is not None:
        builder.add(start, cue.end(), "lead_in")
        _add_items(builder, cue.end(), end, by_comma=True)
        return
    prefix = PREFIX_RE.match(text, start, end)
    if prefix is not None and _CONTENT.search(text, prefix.end(), end):
        builder.add(start, prefix.end(), "lead_in")
        start = prefix.end()
    subject = _REPEATED_SUBJECT.match(text, start, end)
    cuts = [m.end() for m in _COMMA.finditer(text, start, end) if subject and text.startswith(subject.group(), m.end())]
    for piece_start, piece_end in itertools.pairwise([start, *cuts, end]) if cuts else ():
        builder.add(piece_start, piece_end, "item")
    if not cuts:
        _add_items(builder, start, end, by_comma=False)


def _enum_cue(text: str, start: int, end: int) -> re.Match[str] | None:
    example = _EXAMPLE_CUE.match(text, start, end)
    if example is not None and _CLOSING_DENG.search(text[start:end].rstrip(_EDGE_PUNCT)):
        return example
    for cue in ENUM_CUE_RE.finditer(text, start, end):
        before = text[start : cue.start()]
        if (not before or before[-1] in ",，:：" or _ENUM_CUE_AFTER.search(before)) and _CONTENT.search(
            text, cue.end(), end
        ):
            return cue
    return None


def _add_items(builder: _Builder, start: int, end: int, *, by_comma: bool) -> None:
    """Items separated by ; (or, after an enumeration cue and with no ;, by ,).

    A 等 closing a list of several is the list's, not its last item's.
    """
    text = builder.joined.text
    separator = _SEMICOLON if _SEMICOLON.search(text, start, end) or not by_comma else _COMMA
    pieces = _pieces(text, start, end, separator) or [(start, end)]
    for number, (piece_start, piece_end) in enumerate(pieces, start=1):
        closing = _CLOSING_DENG.search(text[piece_start:piece_end].rstrip(_EDGE_PUNCT)) if number == len(pieces) > 1 else None
        builder.add(piece_start, piece_start + closing.start() if closing else piece_end, "item")


def source_span(clause: Clause, source: str, start: int, end: int) -> tuple[int, int]:
    """The span of ``source`` that ``clause.text[start:end]`` was read from."""
    joined = _join(source[clause.start : clause.end])
    if joined.text != clause.text:
        raise ValueError(f"clause {clause.text!r} is not at {clause.start}:{clause.end} of the source")
    return clause.start + joined.index[start], clause.start + joined.index[end - 1] + 1
