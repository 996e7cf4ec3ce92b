"""What the prose says about the tables: "<phrase> N件" matched to table quantities.

Reports restate their tables in 总体情况, e.g. "共受理政府信息公开申请79件，其中予以公开
26件,部分公开8件,不掌握相关信息26件,不予处理3件(信访举报投诉类申请1件,重复申请2件),
其他处理15件(逾期不补正1件,撤销等其他处理14件),结转下年度继续办理1件", or "未收到依申请公开
的政府信息申请". Each "<phrase> N件" is matched to a table quantity by the phrase
just before the number; a parenthesis after a claim breaks that claim down.
Prose is looser than the table, so each quantity has its plausible readings:
"共受理N件" may count this year's new requests alone or with those carried
over. Phrases that name nothing in the tables (建议, 提案, 留言…) are ignored,
and only numbers followed by 件 (or 起 and 条 for appeals and lawsuits) are
read, never 余件 or other units.

The validator holds the tables to these claims (NARRATIVE_CLAIM); the table
reader lets them choose between readings its sums leave open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from gxllm.labels import cell_label, row_label
from gxllm.template import OTHER_GROUP, SECTION3_GROUPS, TEMPLATES, CellPath, Template


@dataclass(frozen=True)
class Quantity:
    """A number of the tables a phrase can name, with its plausible readings (cell sums)."""

    pattern: str
    readings: tuple[tuple[str, ...], ...]
    names: tuple[str, ...]  # one per reading, as a reviewer finds it in the table
    section4: bool = False  # lawsuits are counted in 起 as well as 件

    @property
    def cells(self) -> list[str]:
        return list(dict.fromkeys(p for reading in self.readings for p in reading))


@dataclass(frozen=True)
class Claim:
    quantity: Quantity
    number: int
    start: int  # in the compact text
    end: int


# Sentences end here; clauses (and so phrases) at the separators.
_SENTENCE_END = re.compile(r"[。！？!?]")
_CLAIM_TOKEN = re.compile(
    r"(?P<open>[(（])|(?P<close>[)）])|(?P<sep>[,，、;；:：|])|(?<![\d.])(?P<number>\d+)(?P<unit>件|起|条)"
)
# "未收到依申请公开的政府信息申请": no request at all this year.
_NO_REQUESTS = re.compile(r"(?:未|没有)(?:收到|受理|接到|接收)[^\d,，、;；|]{0,20}?申请")
# "未发生因政府信息公开被申请行政复议、提起行政诉讼的情况".
_NO_APPEALS = re.compile(r"(?:未|没有|无)(?:发生|出现|产生|收到)?[^\d,，;；|]{0,25}?(?:行政复议|行政诉讼)[^\d,，;；|]*")
_RECEIVED = r"收到|受理|接收|接到|新收"
# Prose words these rows differently from the table: "部分予以公开" is no 予以公开.
_PROSE_PATTERNS = {"granted": r"(?<!部分)(?<!不)予以公开|全部公开|同意公开", "partial": r"部分(?:予以)?公开"}
# "行政复议决定维持2件", "未出现行政诉讼败诉": a part of the appeals, not all of them.
_APPEAL_OUTCOME = re.compile(r"维持|纠正|纠错|撤销|驳回|败诉|确认违法|审结|结果")


@cache
def _vocabulary(version: str) -> tuple[tuple[Quantity, ...], Quantity, Quantity, Quantity, Quantity]:
    """(row and group quantities in matching order, received, review, litigation, the 三（六）'其他' row)."""
    spec = TEMPLATES[version]
    def total(key: str) -> str:
        return str(CellPath("section3", key, "total"))

    outcome = spec.outcome_rows
    rows = []
    for row in spec.section3.rows:
        # 总计 and a bare 其他 name too much in prose; 新收 is read as "received" below.
        if row.key in ("total", "new", "other", "other_other"):
            continue
        pattern = _PROSE_PATTERNS.get(row.key, row.pattern)
        rows.append(Quantity(pattern, ((total(row.key),),), (cell_label(spec, total(row.key)),)))
    groups = []
    for group in SECTION3_GROUPS:
        # Prose names a group by its words; 2019 prints 其他处理 as one row of the group's key.
        keys = [k for k in outcome if group.holds(k) or k == group.key]
        name = row_label(spec, "section3", keys[0]).split("·")[0] + "各项总计之和"
        groups.append(Quantity(group.name, (tuple(total(k) for k in keys),), (name,)))
    received = Quantity(
        _RECEIVED,
        ((total("new"),), (total("new"), total("carried_over"))),
        (cell_label(spec, total("new")), "一、本年新收与二、上年结转的总计之和"),
    )
    review = Quantity("行政复议", (("section4.review.total",),), ("行政复议·总计",), section4=True)
    direct, after = "section4.litigation_direct.total", "section4.litigation_after_review.total"
    litigation = Quantity(
        "行政诉讼",
        ((direct, after), (direct,), (after,)),
        ("行政诉讼两项总计之和", cell_label(spec, direct), cell_label(spec, after)),
        section4=True,
    )
    other_rest_key = "other_other" if "other_other" in outcome else "other"
    other_rest = Quantity("其他", ((total(other_rest_key),),), (cell_label(spec, total(other_rest_key)),))
    return tuple(rows + groups), received, review, litigation, other_rest


def _quantity(spec: Template, phrase: str, sentence: str, inside: Quantity | None) -> Quantity | None:
    """The table quantity ``phrase`` names; ``inside`` is the claim a parenthesis breaks down."""
    table_rows, received, review, litigation, other_rest = _vocabulary(spec.version)
    if "申请" in sentence:
        for quantity in table_rows:
            if re.search(quantity.pattern, phrase):
                # "(逾期不补正1件,撤销等其他处理14件)" under 其他处理: the rest, 3.其他.
                if quantity is inside and quantity.pattern == OTHER_GROUP.name:
                    return other_rest
                return None if quantity is inside else quantity
        if inside is not None and inside.pattern == OTHER_GROUP.name and "其他" in phrase:
            return other_rest
        if inside is None and re.search(received.pattern, phrase) and "申请" in phrase:
            return received
    if "公开" in sentence and inside is None:
        has_review, has_litigation = "行政复议" in phrase, "行政诉讼" in phrase
        if has_review != has_litigation and not _APPEAL_OUTCOME.search(phrase):
            return review if has_review else litigation
    return None


def claims(spec: Template, text: str) -> list[Claim]:
    """Every "<phrase> N件" of ``text`` (compact: no whitespace) that names a table quantity."""
    found = []
    start = 0
    for end_match in [*_SENTENCE_END.finditer(text), None]:
        end = end_match.start() if end_match else len(text)
        found.extend(_sentence_claims(spec, text, start, end))
        found.extend(_zero_claims(spec, text, start, end))
        start = end + 1
    return found


def _sentence_claims(spec: Template, text: str, start: int, end: int) -> list[Claim]:
    sentence = text[start:end]
    found: list[Claim] = []
    phrase_start, depth = 0, 0
    last: Quantity | None = None  # the last top-level claim: what a parenthesis breaks down
    for match in _CLAIM_TOKEN.finditer(sentence):
        if match["open"] or match["close"] or match["sep"]:
            depth = depth + 1 if match["open"] else max(0, depth - 1) if match["close"] else depth
            phrase_start = match.end()
            continue
        phrase = sentence[phrase_start : match.start()]
        quantity = _quantity(spec, phrase, sentence, last if depth else None)
        if quantity is not None and (match["unit"] == "件" or quantity.section4):
            found.append(Claim(quantity, int(match["number"]), start + phrase_start, start + match.end()))
            if not depth:
                last = quantity
        phrase_start = match.end()
    return found


def _zero_claims(spec: Template, text: str, start: int, end: int) -> list[Claim]:
    _, received, review, litigation, _ = _vocabulary(spec.version)
    sentence = text[start:end]
    found = []
    match = _NO_REQUESTS.search(sentence)
    if match is not None and not re.search("行政复议|行政诉讼", match.group()):
        found.append(Claim(received, 0, start + match.start(), start + match.end()))
    match = _NO_APPEALS.search(sentence) if "公开" in sentence else None
    if match is not None and not _APPEAL_OUTCOME.search(match.group()):
        for word, quantity in (("行政复议", review), ("行政诉讼", litigation)):
            if word in match.group():
                found.append(Claim(quantity, 0, start + match.start(), start + match.end()))
    return found
