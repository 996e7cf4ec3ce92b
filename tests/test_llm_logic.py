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
from gxllm.llm.narrative import add_to_narrative
from gxllm.llm.readings import ReadingChoice, choose_readings
from gxllm.llm.tasks import resolve_metadata
from gxllm.narrative import extract_narrative
from gxllm.normalize import normalize
from gxllm.read import load_source, read_document
from gxllm.segment import segment
from gxllm.settings import Settings

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
        return segment(normalize(read_document(load_source(SEEDS / source, settings), settings), settings))
    document = Document(path="inline.txt", sha256="0" * 64, kind="text", lines=[Line(text=t) for t in source.split("\n")])
    return segment(normalize(document, settings))


def _span_text(segmented, evidence) -> str:
    start, end = evidence.span
    return "".join(segmented.text.text[start:end].split())


# ------------------------------------------------------------ prompts and client


def test_every_prompt_file_renders_with_its_placeholders():
    placeholders = {
        "narrative.v2": {},
        "metadata.v1": {"head": "X", "agencies": "X", "years": "X"},
        "table_choice.v1": {"prose": "X", "questions": "X", "shape": "X"},
    }
    parts = {
        "lists": {"wanted": "X", "candidates": "X", "known": "X", "keys": "X"},
        "themes": {"items": "X", "taxonomy": "X"},
        "fee": {"sentences": "X"},
    }
    assert {p.name.removesuffix(".md") for p in PROMPTS_DIR.glob("*.md")} == set(placeholders)
    for name, values in placeholders.items():
        prompt = load_prompt(*name.split("."))
        messages = prompt.render(parts if prompt.parts else None, **values)
        assert [m["role"] for m in messages] == ["system", "user"]
        assert "$" not in messages[1]["content"]
        with pytest.raises(KeyError):
            prompt.render()
    assert set(load_prompt("narrative", "v2").parts) == set(parts)


def test_only_the_parts_asked_are_in_the_question():
    prompt = load_prompt("narrative", "v2")
    content = prompt.render({"fee": {"sentences": "[1] 信息处理费情况为零。"}})[1]["content"]
    assert "【收费】" in content and "[1] 信息处理费情况为零。" in content
    assert "【条目】" not in content and "【主题】" not in content


QUESTIONS = {
    "prose": "本年收到行政复议1件。",
    "questions": "问题1：…\n  A. 行政复议·结果维持=1\n  B. 行政复议·结果维持=11",
    "shape": '{"choices": {"1": "?"}}',
}


def _choose(llm: LlmClient, readings: int = 2):
    return llm.ask(
        load_prompt("table_choice", "v1"), ReadingChoice, values=QUESTIONS, context={"offered": {"1": readings}}, max_tokens=16
    )


def test_a_wrong_answer_is_sent_back_with_the_reason_and_the_second_accepted():
    llm, runtime = _client('{"choices": {"1": "C"}}', '```json\n{"choices": {"1": "B"}}\n```')
    assert _choose(llm).choices == {"1": "B"}
    assert len(runtime.seen) == 2
    assert "question 1 has readings A-B only" in runtime.seen[1][-1]["content"]
    assert llm.usage.calls == 2 and llm.usage.tokens_out > 0


def test_no_valid_answer_in_all_tries_is_rejected():
    llm, _ = _client('{"choices": {"1": "A", "2": "B"}}', '{"choices": {"1": "C"}}')
    with pytest.raises(AnswerRejected, match="question 1 has readings A-B only"):
        _choose(llm)


def test_an_answer_cut_off_at_max_tokens_is_rejected_without_re_asking():
    llm, runtime = _client('{"choices": {"1": …')
    with pytest.raises(AnswerRejected, match="cut off at 16 tokens"):
        _choose(llm)
    assert len(runtime.seen) == 1


def test_a_timeout_is_not_retried_and_keeps_its_own_error():
    llm, runtime = _client(AnswerTimeout("no answer within 1 s"), '{"choices": {"1": "A"}}')
    with pytest.raises(AnswerTimeout, match="within 1 s"):
        _choose(llm)
    assert len(runtime.seen) == 1


def test_answers_are_cached_by_model_prompt_and_input(tmp_path):
    cache = AnswerCache(tmp_path)
    prompt = load_prompt("table_choice", "v1")
    ask = dict(values=QUESTIONS, context={"offered": {"1": 2}}, max_tokens=16)
    llm, runtime = _client('{"choices": {"1": "A"}}', cache=cache)
    first = llm.ask(prompt, ReadingChoice, **ask)
    again = llm.ask(prompt, ReadingChoice, **ask)
    assert again.model_dump() == first.model_dump() == {"choices": {"1": "A"}}
    assert len(runtime.seen) == 1 and llm.usage.cache_hits == 1
    stored = json.loads(next(tmp_path.rglob("*.json")).read_text(encoding="utf-8"))
    assert stored["model"] == "scripted:test" and stored["prompt"].startswith("table_choice.v1@")

    other_input, runtime = _client('{"choices": {"1": "B"}}', cache=cache)
    assert other_input.ask(prompt, ReadingChoice, **{**ask, "values": {**QUESTIONS, "prose": "另一份报告"}}).choices == {"1": "B"}
    other_model, runtime = _client('{"choices": {"1": "B"}}', cache=cache, model_id="scripted:other")
    assert other_model.ask(prompt, ReadingChoice, **ask).choices == {"1": "B"}
    assert len(runtime.seen) == 1


def test_a_cached_answer_is_validated_again_before_use(tmp_path):
    cache = AnswerCache(tmp_path)
    prompt = load_prompt("table_choice", "v1")
    llm, _ = _client('{"choices": {"1": "C"}}', cache=cache)
    llm.ask(prompt, ReadingChoice, values=QUESTIONS, context={"offered": {"1": 3}}, max_tokens=16)
    stricter, runtime = _client('{"choices": {"1": "A"}}', cache=cache)
    assert stricter.ask(prompt, ReadingChoice, values=QUESTIONS, context={"offered": {"1": 2}}, max_tokens=16).choices == {"1": "A"}
    assert len(runtime.seen) == 1 and stricter.usage.cache_hits == 0


# ------------------------------------------------------------ narrative

UNSURE = """某县教育局2023年政府信息公开工作年度报告
一、总体情况
本报告统计期限自2023年1月1日起至2023年12月31日止。
五、存在的主要问题及改进情况
存在问题：一是公开意识不强；二是公文格式不规范。
针对以上问题，我局将采取措施加以改进。
六、其他需要报告的事项
本年度信息处理费情况为零。"""


def _asked(segmented, *answers: str, retries: int = 1):
    runtime = ScriptedRuntime(*answers)
    baseline = extract_narrative(segmented)
    return baseline, add_to_narrative(segmented, baseline, LlmClient(runtime, max_retries=retries)), runtime


def test_when_the_rules_are_sure_of_everything_the_model_is_not_asked():
    segmented = _segmented("lianyun-gov-2024.txt")
    baseline, narrative, runtime = _asked(segmented)
    assert runtime.seen == []
    assert narrative == baseline


def test_one_question_asks_only_what_the_rules_are_unsure_of():
    segmented = _segmented(UNSURE)
    baseline, narrative, runtime = _asked(
        segmented,
        '{"remedies": [3], "themes": [{"item": "T1", "theme": "其他", "words": "公文格式"}],'
        ' "fee": {"sentence": 1, "phrase": "为零", "charged": false}}',
    )
    assert len(runtime.seen) == 1
    question = runtime.seen[0][1]["content"]
    # The spans offered are those no rule item covers, at every grain.
    assert "[1] 针对以上问题,我局将采取措施加以改进" in question
    assert "[2] 针对以上问题" in question and "[3] 我局将采取措施加以改进" in question
    assert "公开意识不强" not in question.split("规则已认定的条目")[0]
    assert "[T1] 公文格式不规范" in question and "[1] 本年度信息处理费情况为零。" in question
    # Only added: the rules' items stay as they were.
    assert narrative.problems == baseline.problems == ["公开意识不强", "公文格式不规范"]
    assert narrative.remedies == ["我局将采取措施加以改进"]
    added = narrative.evidence["remedies.0"]
    assert added.method == "model" and _span_text(segmented, added) == "我局将采取措施加以改进"
    assert narrative.themes["remedies"] == [["其他"]]  # the rules read the added item's themes: it names none
    assert narrative.themes["problems"] == [["制度机制与考核"], ["其他"]]
    theme = narrative.evidence["themes.problems.1.0"]
    assert theme.method == "model" and _span_text(segmented, theme) == "公文格式"
    assert narrative.fee.model_dump() == {"charged": False, "amount_yuan": None, "text": "本年度信息处理费情况为零。"}
    assert _span_text(segmented, narrative.evidence["fee.charged"]) == "为零"


def test_answers_that_fail_the_checks_are_sent_back_with_the_reason():
    segmented = _segmented(UNSURE)
    _, narrative, runtime = _asked(
        segmented,
        '{"remedies": [1, 3], "themes": [], "fee": {"sentence": null}}',
        '{"remedies": [3], "themes": [{"item": "T1", "theme": "平台与政务新媒体", "words": "版式"}], "fee": {"sentence": null}}',
        '{"remedies": [2, 3], "themes": [], "fee": {"sentence": null}}',
        retries=3,
    )
    reasons = [conversation[-1]["content"] for conversation in runtime.seen[1:]]
    assert "spans 1 and 3 overlap: choose one of them" in reasons[0]
    assert "words '版式' are not in item T1" in reasons[1]
    assert narrative.remedies == ["针对以上问题", "我局将采取措施加以改进"]
    assert narrative.themes["problems"][1] == ["其他"] and narrative.evidence["themes.problems.1.0"].method == "rule"
    assert narrative.fee.charged is None


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ('{"problems": [3]}', "problems were not asked for: leave the key out"),
        ('{"remedies": [9]}', "span numbers [9] do not exist: use numbers 1 to 3"),
        ('{"themes": [{"item": "T1", "theme": "格式", "words": "公文"}]}', "theme '格式' is not one of 政策解读"),
        ('{"themes": [{"item": "T7", "theme": "其他", "words": "公文"}]}', "item 'T7' was not asked about: use one of T1"),
        ('{"fee": {"sentence": 1, "phrase": "为零", "charged": true}}', "'为零' says no fee was charged"),
        ('{"fee": {"sentence": 1, "phrase": "未收取", "charged": false}}', "phrase '未收取' is not in sentence 1"),
    ],
)
def test_each_check_names_what_is_wrong(answer, reason):
    _, narrative, runtime = _asked(_segmented(UNSURE), answer, '{}', retries=1)
    assert reason in runtime.seen[1][-1]["content"]


def test_when_the_model_gives_no_valid_answer_the_rule_reading_stands():
    segmented = _segmented(UNSURE)
    baseline, narrative, _ = _asked(segmented, '{"remedies": [9]}', '{"remedies": [9]}')
    assert narrative == baseline


REPORT_WITH_FEE = """某县教育局2023年政府信息公开工作年度报告
一、总体情况
本报告统计期限自2023年1月1日起至2023年12月31日止。
五、存在的主要问题及改进情况
存在的问题是公开内容不够全面;下一步将加强培训。
六、其他需要报告的事项
本年度共收取信息处理费0.02万元。"""

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


# ------------------------------------------------------------ open readings of the sums


def _open_report():
    """A real dump whose crawler deleted repeated lines: its section 4 prints
    "0 1 0 1 0", which seven tables allow."""
    settings = Settings()
    path = SEEDS.parent / "real" / "putian-slj-2024.txt"
    return segment(normalize(read_document(load_source(path, settings), settings), settings))


def test_the_model_chooses_among_the_readings_the_sums_leave_open_and_never_writes_a_number():
    from gxllm.tables import read_tables

    segmented = _open_report()
    tables = read_tables(segmented)
    [(number, question)] = [(str(i), q) for i, q in enumerate(tables.open_choices, 1) if q.paths[0].startswith("section4")]
    assert len(question.options) > 1
    corrected = next(
        i for i, option in enumerate(question.options)
        if option.get("section4.review.corrected") and option["section4.review.corrected"].value == 1
    )
    letter = "ABCDEFGHIJ"[corrected]
    llm, runtime = _client(json.dumps({"choices": {number: "Z"}}), json.dumps({"choices": {number: letter}}))
    chosen = choose_readings(segmented, tables.open_choices, llm)
    assert chosen["section4.review.corrected"].value == 1
    assert chosen["section4.review.corrected"].evidence.method == "model"
    assert "readings the table's sums allow" in chosen["section4.review.corrected"].evidence.note
    assert "行政复议" in runtime.seen[0][1]["content"]  # the prose went with the question
    assert "only" in runtime.seen[1][-1]["content"]  # a letter not offered was sent back
    assert len(runtime.seen) == 2  # one question per report, and its one re-ask


def test_a_question_the_model_leaves_open_keeps_its_nulls():
    from gxllm.tables import read_tables

    segmented = _open_report()
    tables = read_tables(segmented)
    llm, _ = _client(json.dumps({"choices": {str(i + 1): None for i in range(len(tables.open_choices))}}))
    assert choose_readings(segmented, tables.open_choices, llm) == {}


def test_a_report_whose_sums_settle_every_cell_is_not_asked_about():
    from gxllm.tables import read_tables

    segmented = _segmented("lianyun-gov-2024.txt")
    llm, runtime = _client()
    assert choose_readings(segmented, read_tables(segmented).open_choices, llm) == {}
    assert runtime.seen == []


def test_a_section_five_that_says_nothing_is_not_asked_about():
    segmented = _segmented(UNSURE.replace("存在问题：一是公开意识不强；二是公文格式不规范。\n针对以上问题，我局将采取措施加以改进。", "无。"))
    baseline, narrative, runtime = _asked(segmented, '{"fee": {"sentence": null}}')
    assert (baseline.problems, baseline.remedies) == ([], [])
    question = runtime.seen[0][1]["content"]
    assert "【条目】" not in question and "【收费】" in question
