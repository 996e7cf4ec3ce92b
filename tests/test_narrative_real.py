"""The narrative of the real reports (fixtures/real) against the golds people read, with no model."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from gxllm.evaluate import Stages, evaluate
from gxllm.evaluate.metrics import score_items
from gxllm.pipeline import extract
from gxllm.read import Source
from gxllm.record import Extraction
from gxllm.settings import Settings
from tests.conftest import FIXTURES

REAL = FIXTURES / "real"
CASES = sorted(
    source for source in REAL.iterdir() if source.suffix in {".txt", ".md", ".html"}
)


@cache
def extracted(source: Path) -> Extraction:
    return extract(source, settings=Settings())


def gold(source: Path) -> dict:
    return json.loads((REAL / f"{source.stem}.gold.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.name)
def test_problems_and_remedies_match_the_gold_one_to_one(source):
    record, want = extracted(source).record, gold(source)
    for name in ("problems", "remedies"):
        score = score_items(want[name], getattr(record, name))
        assert (score.matched, score.predicted) == (len(want[name]), len(want[name])), (name, getattr(record, name))


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.name)
def test_the_fee_statement_is_read_as_the_gold_reads_it(source):
    fee, want = extracted(source).record.fee, gold(source)["fee"]
    assert (fee.charged, fee.amount_yuan) == (want["charged"], want["amount_yuan"])
    assert re.sub(r"\s", "", fee.text or "") == re.sub(r"\s", "", want["text"] or "").translate(str.maketrans("，：（）", ",:()"))


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.name)
def test_every_item_is_a_span_of_the_source(source):
    extraction = extracted(source)
    for name in ("problems", "remedies"):
        for i, item in enumerate(getattr(extraction.record, name)):
            start, end = extraction.evidence[f"{name}.{i}"].span
            assert re.sub(r"\s*\n\s*", "", extraction.text[start:end]) == item


def test_the_narrative_bars_of_issue_13_hold_with_no_model():
    summary = evaluate(REAL, Stages.pipeline(Settings()), use_llm=False, perturb=0).summary
    assert summary.problems.f1 >= 0.9 and summary.remedies.f1 >= 0.9
    assert summary.fields["fee.charged"].share == 1.0
    assert summary.themes.items == 96 and summary.themes.accuracy >= 0.9, summary.themes


@pytest.mark.parametrize(
    ("suffix", "bullet", "heading"),
    [(".txt", "• ", "【{}】"), (".txt", "● ", "{}"), (".md", "- ", "**{}**"), (".md", "* ", "### {}")],
)
def test_bullets_and_a_heading_in_brackets_or_emphasis_leave_the_items_as_they_are(suffix, bullet, heading):
    # A real report as converters also print it: section 五's heading set off,
    # each paragraph of the section a bulleted list item.
    source = FIXTURES / "seeds" / "lianyun-gov-2024.txt"
    lines = source.read_text(encoding="utf-8").split("\n")
    five = next(i for i, line in enumerate(lines) if line.startswith("五、"))
    six = next(i for i, line in enumerate(lines) if line.startswith("六、"))
    lines[five] = heading.format(lines[five])
    lines[five + 1 : six] = [bullet + line for line in lines[five + 1 : six]]
    want = json.loads(source.with_name(f"{source.stem}.gold.json").read_text(encoding="utf-8"))
    record = extract(Source(name=source.stem + suffix, data="\n".join(lines).encode()), settings=Settings()).record
    assert (record.problems, record.remedies) == (want["problems"], want["remedies"])


@pytest.mark.parametrize("separator", [" ", ""], ids=["spaces", "nothing"])
@pytest.mark.parametrize("name", ["sanming-gov-2020.txt", "sanming-gov-2022.txt", "sanming-gov-2025.txt"])
def test_a_page_run_into_one_line_gives_the_items_of_its_lines(name, separator):
    # Sub-headings ((二)、改进情况) and markers (一是) then stand mid-line, after
    # spaces or after the full stop before them.
    source = REAL / name
    one_line = separator.join(line.strip() for line in source.read_text(encoding="utf-8").split("\n"))
    record = extract(Source(name=name, data=one_line.encode()), settings=Settings()).record
    want = gold(source)
    for list_name in ("problems", "remedies"):
        score = score_items(want[list_name], getattr(record, list_name))
        assert (score.matched, score.predicted) == (len(want[list_name]),) * 2, (list_name, getattr(record, list_name))
