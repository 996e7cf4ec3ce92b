"""The language-model layer with a scripted runtime: prompts, re-asks, cache, and the three grounded tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gxllm.document import Document, Line
from gxllm.llm.cache import AnswerCache
from gxllm.llm.client import LlmClient
from gxllm.llm.errors import AnswerRejected, AnswerTimeout
from gxllm.llm.prompts import PROMPTS_DIR, load_prompt
from gxllm.llm.runtimes import Completion, Message
from gxllm.llm.tasks import (
    ThemeChoice,
    align,
    read_rows_with_model,
    refine_narrative,
    resolve_metadata,
)
from gxllm.narrative import extract_narrative
from gxllm.normalize import normalize
from gxllm.read import load_source, read_document
from gxllm.segment import segment
from gxllm.settings import Settings
from gxllm.tables import RowSpan
from gxllm.tables.tokens import Kind, tokenize

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


class ScriptedRuntime:
    """Answers from a script, in order; remembers every conversation it was sent."""

    def __init__(self, *answers: str | Exception, model_id: str = "scripted:test"):
        self.answers = list(answers)
        self.seen: list[list[Message]] = []
        self.model_id = model_id

    def complete(self, messages: list[Message], *, max_tokens: int) -> Completion:
        self.seen.append([dict(m) for m in messages])  # instructor extends the list it passed
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return Completion(
            text=answer, tokens_in=sum(len(m["content"]) for m in messages), tokens_out=len(answer), seconds=0.01,
            finish_reason="length" if answer.endswith("…") else "stop",
        )


def _client(*answers: str | Exception, cache: AnswerCache | None = None, model_id: str = "scripted:test") -> tuple[LlmClient, ScriptedRuntime]:
    runtime = ScriptedRuntime(*answers, model_id=model_id)
    return LlmClient(runtime, cache=cache, max_retries=1), runtime


def _segmented(source: str):
    settings = Settings()
    if source.endswith(".txt"):
        return segment(normalize(read_document(load_source(SEEDS / source), settings), settings))
    document = Document(path="inline.txt", sha256="0" * 64, kind="text", lines=[Line(text=t) for t in source.split("\n")])
    return segment(normalize(document, settings))


def _span_text(segmented, evidence) -> str:
    start, end = evidence.span
    return "".join(segmented.text.text[start:end].split())


# ------------------------------------------------------------ prompts and client


def test_every_prompt_file_renders_with_its_placeholders():
    placeholders = {
        "narrative": {"clauses": "X"},
        "fee": {"sentences": "X"},
        "metadata": {"head": "X", "agencies": "X", "years": "X"},
        "table_row": {"label": "X", "columns": "X", "count": "7", "row": "X"},
        "table_choice": {"prose": "X", "questions": "X"},
    }
    assert {p.name.split(".")[0] for p in PROMPTS_DIR.glob("*.v1.md")} == set(placeholders)
    for name, values in placeholders.items():
        prompt = load_prompt(name, "v1")
        messages = prompt.render(**values)
        assert [m["role"] for m in messages] == ["system", "user"]
        assert "$" not in messages[1]["content"]
        with pytest.raises(KeyError):
            prompt.render()


def test_a_wrong_answer_is_sent_back_with_the_reason_and_the_second_accepted():
    llm, runtime = _client('{"problems": [1, 7], "remedies": [2]}', '```json\n{"problems": [1], "remedies": [2]}\n```')
    answer = llm.ask(load_prompt("narrative", "v1"), ThemeChoice, values={"clauses": "[1] a\n[2] b"}, context={"items": 2}, max_tokens=64)
    assert (answer.problems, answer.remedies) == ([1], [2])
    assert len(runtime.seen) == 2
    reask = runtime.seen[1][-1]["content"]
    assert "item numbers [7] do not exist: use numbers 1 to 2" in reask
    assert llm.usage.calls == 2 and llm.usage.tokens_out > 0


def test_no_valid_answer_in_all_tries_is_rejected():
    llm, _ = _client('{"problems": [3], "remedies": []}', '{"problems": [1], "remedies": [1]}')
    with pytest.raises(AnswerRejected, match="cannot be both a problem and a remedy"):
        llm.ask(load_prompt("narrative", "v1"), ThemeChoice, values={"clauses": "x"}, context={"items": 2}, max_tokens=64)


def test_an_answer_cut_off_at_max_tokens_is_rejected_without_re_asking():
    llm, runtime = _client('{"problems": [1, 2, …')
    with pytest.raises(AnswerRejected, match="cut off at 64 tokens"):
        llm.ask(load_prompt("narrative", "v1"), ThemeChoice, values={"clauses": "x"}, context={"items": 2}, max_tokens=64)
    assert len(runtime.seen) == 1


def test_a_timeout_is_not_retried_and_keeps_its_own_error():
    llm, runtime = _client(AnswerTimeout("no answer within 1 s"), '{"problems": [], "remedies": []}')
    with pytest.raises(AnswerTimeout, match="within 1 s"):
        llm.ask(load_prompt("narrative", "v1"), ThemeChoice, values={"clauses": "x"}, context={"items": 2}, max_tokens=64)
    assert len(runtime.seen) == 1


def test_answers_are_cached_by_model_prompt_and_input(tmp_path):
    cache = AnswerCache(tmp_path)
    prompt = load_prompt("narrative", "v1")
    ask = dict(values={"clauses": "[1] a\n[2] b"}, context={"items": 2}, max_tokens=64)
    llm, runtime = _client('{"problems": [1], "remedies": [2]}', cache=cache)
    first = llm.ask(prompt, ThemeChoice, **ask)
    again = llm.ask(prompt, ThemeChoice, **ask)
    assert again.model_dump() == first.model_dump() == {"problems": [1], "remedies": [2]}
    assert len(runtime.seen) == 1 and llm.usage.cache_hits == 1
    stored = json.loads(next(tmp_path.rglob("*.json")).read_text(encoding="utf-8"))
    assert stored["model"] == "scripted:test" and stored["prompt"].startswith("narrative.v1@")

    other_input, runtime = _client('{"problems": [2], "remedies": [1]}', cache=cache)
    assert other_input.ask(prompt, ThemeChoice, **{**ask, "values": {"clauses": "[1] b\n[2] a"}}).problems == [2]
    other_model, runtime = _client('{"problems": [], "remedies": [1, 2]}', cache=cache, model_id="scripted:other")
    assert other_model.ask(prompt, ThemeChoice, **ask).remedies == [1, 2]
    assert len(runtime.seen) == 1


def test_a_cached_answer_is_validated_again_before_use(tmp_path):
    cache = AnswerCache(tmp_path)
    prompt = load_prompt("narrative", "v1")
    llm, _ = _client('{"problems": [3], "remedies": []}', cache=cache)
    llm.ask(prompt, ThemeChoice, values={"clauses": "x"}, context={"items": 3}, max_tokens=64)
    stricter, runtime = _client('{"problems": [1], "remedies": []}', cache=cache)
    assert stricter.ask(prompt, ThemeChoice, values={"clauses": "x"}, context={"items": 2}, max_tokens=64).problems == [1]
    assert len(runtime.seen) == 1 and stricter.usage.cache_hits == 0


# ------------------------------------------------------------ narrative


def test_narrative_items_are_the_source_clauses_the_model_numbered():
    segmented = _segmented("lianyun-gov-2024.txt")
    gold = json.loads((SEEDS / "lianyun-gov-2024.gold.json").read_text(encoding="utf-8"))
    llm, runtime = _client(
        '{"problems": [3, 1, 2], "remedies": [4, 5, 6]}',
        '{"sentence": 1, "phrase": "未对政府信息公开申请收取", "charged": false, "amount_yuan": null}',
    )
    narrative = refine_narrative(segmented, extract_narrative(segmented), llm)
    assert narrative.problems == gold["problems"]
    assert narrative.remedies == gold["remedies"]
    assert narrative.fee.model_dump() == gold["fee"]
    for theme in ("problems", "remedies"):
        for i, item in enumerate(getattr(narrative, theme)):
            evidence = narrative.evidence[f"{theme}.{i}"]
            assert evidence.method == "model" and _span_text(segmented, evidence) == item
    assert narrative.evidence["fee.text"].method == "model"
    shown = runtime.seen[0][1]["content"]
    assert "[1] 个别单位对政府信息公工作重视仍然不够" in shown and "（引导语）下一步,我区将" in shown


def test_a_fee_judgement_that_contradicts_its_own_quote_is_re_asked():
    segmented = _segmented("lianyun-kjj-2024.txt")
    llm, runtime = _client(
        '{"problems": [1, 2], "remedies": [3, 4]}',
        '{"sentence": 1, "phrase": "未收取", "charged": true, "amount_yuan": null}',
        '{"sentence": 1, "phrase": "未收取", "charged": false, "amount_yuan": null}',
    )
    narrative = refine_narrative(segmented, extract_narrative(segmented), llm)
    assert "'未收取' says no fee was charged, so charged must be false" in runtime.seen[2][-1]["content"]
    assert narrative.fee.charged is False
    assert narrative.fee.text == "本年度我局未对政府信息公开申请收取任何费用。"


REPORT_WITH_FEE = """某县教育局2023年政府信息公开工作年度报告
一、总体情况
本报告统计期限自2023年1月1日起至2023年12月31日止。
五、存在的主要问题及改进情况
存在的问题是公开内容不够全面;下一步将加强培训。
六、其他需要报告的事项
本年度共收取信息处理费0.02万元。"""


def test_a_fee_amount_and_phrase_must_be_printed_in_the_chosen_sentence():
    segmented = _segmented(REPORT_WITH_FEE)
    runtime = ScriptedRuntime(
        '{"problems": [1], "remedies": [2]}',
        '{"sentence": 1, "phrase": "已收取", "charged": true, "amount_yuan": 200}',
        '{"sentence": 1, "phrase": "收取", "charged": true, "amount_yuan": 300}',
        '{"sentence": 1, "phrase": "收取", "charged": true, "amount_yuan": 200}',
    )
    narrative = refine_narrative(segmented, extract_narrative(segmented), LlmClient(runtime, max_retries=2))
    assert "phrase '已收取' is not in sentence 1" in runtime.seen[2][-1]["content"]
    assert "does not state an amount of 300 元" in runtime.seen[3][-1]["content"]
    assert (narrative.fee.charged, narrative.fee.amount_yuan) == (True, 200)
    assert narrative.fee.text == "本年度共收取信息处理费0.02万元。"
    assert segmented.text.text[slice(*narrative.evidence["fee.amount_yuan"].span)] == "0.02万元"


def test_when_the_model_gives_no_valid_answer_the_rule_reading_stands():
    segmented = _segmented("yindu-kjj-2024.txt")
    baseline = extract_narrative(segmented)
    llm, _ = _client('{"problems": [9], "remedies": []}', '{"problems": [9], "remedies": []}')
    narrative = refine_narrative(segmented, baseline, llm)
    assert (narrative.problems, narrative.remedies, narrative.fee) == (baseline.problems, baseline.remedies, baseline.fee)


# ------------------------------------------------------------ agency and year


def test_agency_and_year_must_be_printed_in_the_head():
    segmented = _segmented(REPORT_WITH_FEE)
    llm, runtime = _client(
        '{"agency": "某县教育委员会", "year": 2023}',
        '{"agency": "某县教育局", "year": 2023}',
    )
    metadata = resolve_metadata(segmented, llm, agencies=["某县教育局", "教育局"], years=[2023, 2024])
    assert "is not written in the text" in runtime.seen[1][-1]["content"]
    assert "规则读到的候选：发布机关 某县教育局、教育局；年度 2023、2024" in runtime.seen[0][1]["content"]
    assert (metadata.agency, metadata.year) == ("某县教育局", 2023)
    assert segmented.text.text[slice(*metadata.evidence["agency"].span)] == "某县教育局"
    assert segmented.text.text[slice(*metadata.evidence["year"].span)] == "2023"
    assert metadata.evidence["year"].method == "model"


def test_agency_and_year_may_be_broken_across_lines_in_the_head():
    segmented = _segmented("某县教育\n局 2023 年政府信息公开工作年度报告\n一、总体情况\n本年度工作稳步推进。")
    llm, _ = _client('{"agency": "某县教育局", "year": 2023}')
    metadata = resolve_metadata(segmented, llm, agencies=[], years=[])
    assert (metadata.agency, metadata.year) == ("某县教育局", 2023)
    assert segmented.text.text[slice(*metadata.evidence["agency"].span)] == "某县教育\n局"
    assert segmented.text.text[slice(*metadata.evidence["year"].span)] == "2023"


# ------------------------------------------------------------ table rows


def _value_tokens(text: str):
    return [t for t in tokenize(text, 0, len(text)) if t.kind is Kind.VALUE]


def test_align_finds_run_together_digits_in_column_order():
    text = "一、本年新收政府信息公开申请数量 3000003"
    spans = align([3, 0, 0, 0, 0, 0, 3], _value_tokens(text))
    assert [text[a:b] for a, b in spans] == ["3", "0", "0", "0", "0", "0", "3"]
    assert spans[0][0] == text.index("3000003")


def test_align_refuses_a_number_that_is_not_printed_in_order():
    tokens = _value_tokens("予以公开 5 2 0 0 0 0 7")
    with pytest.raises(ValueError, match="9 is not printed"):
        align([5, 2, 0, 0, 0, 0, 9], tokens)
    with pytest.raises(ValueError, match="2 is not printed"):
        align([5, 0, 0, 0, 0, 7, 2], tokens)
    assert align([5, None, 0, 0, 0, 0, 7], tokens)[1] is None


ROW_REPORT = """三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 2 1 0 0 0 0 3
二、上年结转政府信息公开申请数量 2 1 0 0 0 0 4"""


def test_rows_read_by_the_model_are_grounded_and_add_up():
    text = _segmented(ROW_REPORT).text
    first = text.text.index("一、本年新收")
    second = text.text.index("二、上年结转")
    rows = [
        RowSpan(section="section3", row="new", start=first, end=second),
        RowSpan(section="section3", row="carried_over", start=second, end=len(text.text)),
    ]
    llm, runtime = _client(
        '{"cells": [2, 1, 0, 0, 0, 0, 3]}',
        '{"cells": [2, 1, 0, 0, 0, 0, 4]}',
        '{"cells": [2, 1, 0, 0, 0, 0, 4]}',
    )
    cells = read_rows_with_model(text, "2021", rows, llm)
    assert {p: c.value for p, c in cells.items()} == {
        f"section3.new.{c}": v
        for c, v in zip(("natural_person", "commercial", "research", "social_welfare", "legal_service", "other", "total"), (2, 1, 0, 0, 0, 0, 3), strict=True)
    }
    total = cells["section3.new.total"].evidence
    assert total.method == "model" and text.text[slice(*total.span)] == "3" and total.span[0] > first
    assert "the cells do not add up" in runtime.seen[2][-1]["content"]
    assert "一、本年新收政府信息公开申请数量 2 1 0 0 0 0 3" in runtime.seen[0][1]["content"]


# ------------------------------------------------------------ open readings of the sums


def _open_report():
    """A real dump whose crawler deleted repeated lines: its section 4 prints
    "0 1 0 1 0", which seven tables allow."""
    settings = Settings()
    path = SEEDS.parent / "real" / "putian-slj-2024.txt"
    return segment(normalize(read_document(load_source(path), settings), settings))


def test_the_model_chooses_among_the_readings_the_sums_leave_open_and_never_writes_a_number():
    from gxllm.llm.readings import choose_readings
    from gxllm.tables import read_tables

    segmented = _open_report()
    tables = read_tables(segmented)
    [(number, question)] = [(str(i), q) for i, q in enumerate(tables.open_choices, 1) if q.paths[0].startswith("section4")]
    assert len(question.options) > 1
    review_corrected = next(
        i for i, option in enumerate(question.options)
        if option.get("section4.review.corrected") and option["section4.review.corrected"].value == 1
    )
    letter = "ABCDEFGHIJ"[review_corrected]
    llm, runtime = _client(json.dumps({"choices": {number: "Z"}}), json.dumps({"choices": {number: letter}}))
    chosen = choose_readings(segmented, tables.open_choices, llm)
    assert chosen["section4.review.corrected"].value == 1
    assert chosen["section4.review.corrected"].evidence.method == "model"
    assert "readings the table's sums allow" in chosen["section4.review.corrected"].evidence.note
    assert "行政复议" in runtime.seen[0][1]["content"]  # the prose went with the question
    assert "only" in runtime.seen[1][-1]["content"]  # a letter not offered was sent back


def test_a_question_the_model_leaves_open_keeps_its_nulls():
    from gxllm.llm.readings import choose_readings
    from gxllm.tables import read_tables

    segmented = _open_report()
    tables = read_tables(segmented)
    llm, _ = _client(json.dumps({"choices": {str(i + 1): None for i in range(len(tables.open_choices))}}))
    assert choose_readings(segmented, tables.open_choices, llm) == {}
