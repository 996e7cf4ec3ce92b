"""The OpenAI-compatible runtime against a small endpoint on the loopback address."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gxllm.llm import open_client
from gxllm.llm.client import LlmClient
from gxllm.llm.errors import AnswerTimeout, RuntimeUnavailable
from gxllm.llm.prompts import load_prompt
from gxllm.llm.runtimes.openai_compat import OpenAICompatRuntime
from gxllm.llm.readings import ReadingChoice
from gxllm.settings import Settings


class _Endpoint(BaseHTTPRequestHandler):
    answers: list[str] = []
    requests: list[dict] = []
    delay_s = 0.0

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, **body})
        time.sleep(self.delay_s)
        content = type(self).answers.pop(0)
        payload = json.dumps(
            {
                "id": "c1",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 321, "completion_tokens": 12, "total_tokens": 333},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except BrokenPipeError:  # the client gave up waiting (the time-out test)
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint():
    _Endpoint.answers, _Endpoint.requests, _Endpoint.delay_s = [], [], 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_an_endpoint_answer_is_validated_like_a_local_one(endpoint, tmp_path):
    _Endpoint.answers = ['{"choices": {"1": "E"}}', '{"choices": {"1": "B"}}']
    settings = Settings(llm_runtime="openai", llm_base_url=endpoint, llm_model="qwen2.5-7b-instruct", cache_dir=tmp_path)
    llm = open_client(settings)
    assert isinstance(llm, LlmClient) and llm.model_id == f"openai:{endpoint}:qwen2.5-7b-instruct"
    values = {"prose": "本年收到行政复议1件。", "questions": "问题1：…", "shape": '{"choices": {"1": "?"}}'}
    answer = llm.ask(load_prompt("table_choice", "v1"), ReadingChoice, values=values, context={"offered": {"1": 2}}, max_tokens=50)
    assert answer.choices == {"1": "B"}
    first, second = _Endpoint.requests
    assert first["path"] == "/v1/chat/completions"
    assert (first["model"], first["temperature"], first["max_tokens"]) == ("qwen2.5-7b-instruct", 0, 50)
    assert "question 1 has readings A-B only" in second["messages"][-1]["content"]
    assert (llm.usage.calls, llm.usage.tokens_in, llm.usage.tokens_out) == (2, 642, 24)


def test_a_slow_endpoint_times_out(endpoint):
    _Endpoint.answers, _Endpoint.delay_s = ["{}"], 2.0
    runtime = OpenAICompatRuntime(endpoint, "m", api_key="none", timeout_s=0.5)
    with pytest.raises(AnswerTimeout, match="no answer within 0.5 s"):
        runtime.complete([{"role": "user", "content": "hi"}], max_tokens=5)


def test_no_endpoint_or_no_runtime_is_a_clear_error():
    with pytest.raises(RuntimeUnavailable, match="needs GXLLM_LLM_BASE_URL"):
        open_client(Settings(llm_runtime="openai", llm_base_url=None))
    assert open_client(Settings(llm_runtime="none")) is None
    closed = OpenAICompatRuntime("http://127.0.0.1:9/v1", "m", api_key="none", timeout_s=2)
    with pytest.raises(RuntimeUnavailable, match="openai:http://127.0.0.1:9/v1:m"):
        closed.complete([{"role": "user", "content": "hi"}], max_tokens=5)
