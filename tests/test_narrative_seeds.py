"""The five seed reports against their gold records, scored by docs/record.md §4."""

from __future__ import annotations

import json
import re

import pytest

from gxllm.evaluate.metrics import ItemScore, score_items
from gxllm.narrative import extract_narrative
from tests.conftest import SEEDS
from tests.report_text import segmented
from tests.test_segment import NAMES


def seed(name: str):
    gold = json.loads((SEEDS / f"{name}.gold.json").read_text(encoding="utf-8"))
    source = segmented((SEEDS / f"{name}.txt").read_text(encoding="utf-8"))
    return gold, source, extract_narrative(source)


@pytest.mark.parametrize("name", NAMES)
def test_seed_fee_equals_gold(name):
    gold, _, narrative = seed(name)
    assert narrative.fee.model_dump() == gold["fee"]


@pytest.mark.parametrize("name", NAMES)
def test_seed_items_are_verbatim_spans(name):
    _, source, narrative = seed(name)
    items = {f"problems.{i}": t for i, t in enumerate(narrative.problems)}
    items |= {f"remedies.{i}": t for i, t in enumerate(narrative.remedies)}
    assert items
    for key, text in items.items():
        start, end = narrative.evidence[key].span
        assert re.sub(r"\s*\n\s*", "", source.text.text[start:end]) == text


def test_seed_narrative_f1():
    scores = {"problems": ItemScore(), "remedies": ItemScore()}
    for name in NAMES:
        gold, _, narrative = seed(name)
        for theme in scores:
            scores[theme] += score_items(gold[theme], getattr(narrative, theme))
    assert {theme: (s.matched, s.gold, s.predicted) for theme, s in scores.items()} == {
        "problems": (12, 12, 12),
        "remedies": (12, 12, 12),
    }


def hard_wrapped(text: str, width: int) -> str:
    """``text`` re-broken every ``width`` characters, as PDF text comes."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return "\n".join(line[i : i + width] for line in lines for i in range(0, len(line), width))


@pytest.mark.parametrize("width", [13, 19, 27, 33])
@pytest.mark.parametrize("name", NAMES)
def test_seed_sections_hard_wrapped_read_the_same(name, width):
    _, source, narrative = seed(name)
    text, five, six = source.text.text, source.sections[5], source.sections[6]
    wrapped = (
        text[: five.start]
        + "\n"
        + hard_wrapped(text[five.start : five.end], width)
        + "\n"
        + text[five.end : six.start]
        + "\n"
        + hard_wrapped(text[six.start : six.end], width)
    )
    again = extract_narrative(segmented(wrapped))
    assert (again.problems, again.remedies, again.fee) == (narrative.problems, narrative.remedies, narrative.fee)


def test_page_furniture_and_the_fee_statement_are_no_problem_or_remedy():
    # 六 printed before 五 leaves 六's fee sentence, then the page's buttons, after 五's items.
    from gxllm.narrative import extract_narrative
    from tests.report_text import segmented

    source = segmented(
        "某局2024年政府信息公开工作年度报告\n一、总体情况\n正文。\n六、其他需要报告的事项\n五、存在的主要问题及改进情况\n"
        "一是公开意识不强。下一步，一是加强培训。\n2024年我局未收取信息处理费。\n【打印】【关闭】\n扫一扫在手机打开当前页\n"
    )
    narrative = extract_narrative(source)
    assert (narrative.problems, narrative.remedies) == (["公开意识不强"], ["加强培训"])
    assert narrative.fee.charged is False
