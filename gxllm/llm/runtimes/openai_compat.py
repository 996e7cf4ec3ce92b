"""Any OpenAI-compatible chat endpoint: vLLM, a llama.cpp server, Ollama, a hosted API.

For deployments with a larger model on a GPU server. Only the chat
completions call is used, with temperature 0; the openai client's own
retries are off so the time limit is one limit.
"""

from __future__ import annotations

import time

from gxllm.llm.errors import AnswerTimeout, RuntimeUnavailable
from gxllm.llm.runtimes.base import Completion, Message


class OpenAICompatRuntime:
    def __init__(self, base_url: str, model: str, *, api_key: str, timeout_s: float):
        from openai import OpenAI

        self._model = model
        self._client = OpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=0)
        self._timeout_s = timeout_s
        self.model_id = f"openai:{base_url.rstrip('/')}:{model}"

    def complete(self, messages: list[Message], *, max_tokens: int) -> Completion:
        import openai

        started = time.perf_counter()
        try:
            response = self._client.chat.completions.create(
                model=self._model, messages=messages, max_tokens=max_tokens, temperature=0  # type: ignore[arg-type]
            )
        except openai.APITimeoutError:
            raise AnswerTimeout(f"{self.model_id}: no answer within {self._timeout_s:g} s") from None
        except openai.APIError as error:
            raise RuntimeUnavailable(f"{self.model_id}: {error}") from None
        choice = response.choices[0]
        usage = response.usage
        return Completion(
            text=choice.message.content or "",
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_out=usage.completion_tokens if usage else 0,
            seconds=time.perf_counter() - started,
            finish_reason="length" if choice.finish_reason == "length" else "stop",
        )
