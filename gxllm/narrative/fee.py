"""The statement about 信息处理费: whether fees were charged for disclosure requests, and how much.

The statement is usually in section 六, so that section is read first; only
when it says nothing are the other sections searched, because some reports
put the sentence in 总体情况. The template's own table labels (申请人逾期未按收费通知要求
缴纳费用, 行政事业性收费) mention charges too and are never statements.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from gxllm.document import NormalizedText, Segmented
from gxllm.lexicon import AMOUNT, in_yuan
from gxllm.narrative.clauses import Clause, sentences, source_span
from gxllm.record import Evidence, Fee

# 信息处理费, 信息公开处理费用, 信息费, or a charge; "免费赠阅" of a gazette is not about requests.
_TOPIC = re.compile(r"处理费|信息费|收取|收费|缴费")
# Table labels, also when a converter wrapped them mid-word ("逾期未按收费通" / "知要求…").
_TABLE_LABEL = re.compile(r"逾期未按收费|行政事业性收费|本年收费金额")
# A sentence naming the charge for disclosure requests itself, not any 收费 (价格收费 is
# not one): one the rules could not read may be put to the language model.
REQUEST_FEE = re.compile(
    r"处理费|信息费|(?:申请|信息公开|政府信息)[^。]*?(?:收费|收取|缴费)|(?:收费|收取|缴费)[^。]*?(?:申请|信息公开|政府信息)"
)
# 未收取, 没有…收费, 均未收取, 免收, 不存在收取…: nothing was charged.
_NEGATION = re.compile(
    r"(?:未|没有|不|无|从未|并未|尚未|均未|暂未|无需|不需)[^。,，;；]{0,20}?(?:收取|收费|产生|缴纳|缴费)"
    r"|免收|免费|不存在[^。]{0,20}?(?:收取|收费)"
    r"|(?:收取|收费)[^。,，;；]{0,12}?(?:情况)?[为是:：]?\s*无(?![\w\u4e00-\u9fff])"
)
# "共收取信息处理费", "依法收取了信息处理费": charged, the sum unstated.
_CHARGED = re.compile(r"收取了?[^。,，;；]{0,10}?信息处理费")


class FeeReading(BaseModel):
    fee: Fee
    evidence: dict[str, Evidence]


def read_fee(segmented: Segmented) -> FeeReading:
    """The fee statement of section 六, else of the other sections; all null when there is none."""
    for sentence in fee_sentences(segmented):
        reading = _reading(sentence, segmented.text)
        if reading is not None:
            return reading
    note = "no statement about 信息处理费 in section 六 or elsewhere in the report"
    return FeeReading(fee=Fee(), evidence={"fee.text": Evidence(method="rule", note=note)})


def fee_sentences(segmented: Segmented) -> list[Clause]:
    """The sentences and headings that speak of a fee, in the order they are searched
    (the template's own table labels left out)."""
    return [
        sentence
        for body, offset in _search_order(segmented)
        for sentence in sentences(body, offset)
        if _TOPIC.search(sentence.text) and not _TABLE_LABEL.search(sentence.text)
    ]


def _search_order(segmented: Segmented) -> list[tuple[str, int]]:
    """(text, offset) to search: section 六, then the others in order, or the whole text when none was found.

    Section bodies leave their headings out, so no heading runs on into the sentence after it.
    """
    if not segmented.sections:
        return [(segmented.text.text, 0)]
    numbers = sorted(segmented.sections, key=lambda number: (number != 6, number))
    return [(segmented.body(number), segmented.sections[number].start) for number in numbers]


def _reading(sentence: Clause, text: NormalizedText) -> FeeReading | None:
    """What ``sentence`` states about fees, or None when it states nothing."""
    topic = _TOPIC.search(sentence.text)
    if topic is None:
        return None
    negation = _NEGATION.search(sentence.text)
    amount = AMOUNT.search(sentence.text, topic.start())
    # A heading names the subject ((一)收取信息处理费情况); only a sum or a "未" in it is a statement.
    stated = _CHARGED.search(sentence.text) if sentence.kind == "sentence" else None
    charged_match = negation or amount or stated
    if charged_match is None:
        return None
    yuan = float(in_yuan(amount["value"], amount["unit"])) if amount else None
    charged = negation is None and (yuan is None or yuan > 0)
    evidence = {
        "fee.text": text.evidence(sentence.start, sentence.end, method="rule"),
        "fee.charged": _evidence_in(sentence, charged_match, text),
    }
    if amount is not None:
        evidence["fee.amount_yuan"] = _evidence_in(sentence, amount, text)
    amount_yuan = None if yuan is None else int(yuan) if yuan.is_integer() else yuan
    return FeeReading(fee=Fee(charged=charged, amount_yuan=amount_yuan, text=sentence.text), evidence=evidence)


def _evidence_in(sentence: Clause, match: re.Match[str], text: NormalizedText) -> Evidence:
    """Evidence for a match inside ``sentence.text``."""
    return text.evidence(*source_span(sentence, text.text, match.start(), match.end()), method="rule")
