"""Structured answers from a runtime: instructor validates them and re-asks.

Every call goes: prompt file → messages → the answer cache → the runtime,
through instructor in MD_JSON mode (the schema in the system message, the
answer read from a JSON code block or bare JSON). The task's pydantic model
checks each answer against the source (``context`` carries what it is
checked against); an answer that fails is sent back with the error, up to
``max_retries`` times.
"""

from __future__ import annotations

import logging
import time
from typing import Any, TypeVar

import instructor
from instructor.core import IncompleteOutputException, InstructorRetryException
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError

from gxllm.errors import GxllmError
from gxllm.llm.cache import AnswerCache
from gxllm.llm.errors import AnswerRejected
from gxllm.llm.prompts import Prompt
from gxllm.llm.runtimes import Message, Runtime

T = TypeVar("T", bound=BaseModel)

log = logging.getLogger(__name__)


class Usage(BaseModel):
    """What the model has cost so far: generations (re-asks included) and cache hits."""

    calls: int = 0
    cache_hits: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    seconds: float = 0.0


class LlmClient:
    def __init__(self, runtime: Runtime, *, cache: AnswerCache | None = None, max_retries: int = 1):
        self.runtime = runtime
        self.cache = cache
        self.max_retries = max_retries
        self.usage = Usage()
        self._create = instructor.patch(create=self._generate, mode=instructor.Mode.MD_JSON)

    @property
    def model_id(self) -> str:
        return self.runtime.model_id

    def ask(
        self,
        prompt: Prompt,
        response_model: type[T],
        *,
        values: dict[str, str],
        max_tokens: int,
        context: dict[str, Any] | None = None,
        parts: dict[str, dict[str, str]] | None = None,
    ) -> T:
        """The validated answer to ``prompt`` filled with ``values`` (and the ``parts`` asked, see :class:`Prompt`)."""
        messages = prompt.render(parts, **values)
        request = {"messages": messages, "schema": response_model.model_json_schema(), "max_tokens": max_tokens}
        key = AnswerCache.key(self.model_id, prompt.id, request)
        cached = self._cached(key, response_model, context)
        if cached is not None:
            return cached
        try:
            answer = self._create(
                response_model=response_model,
                messages=messages,
                context=context,
                max_retries=self.max_retries,
                max_tokens=max_tokens,
            )
        except IncompleteOutputException:
            raise AnswerRejected(f"{prompt.id}: the answer was cut off at {max_tokens} tokens") from None
        except InstructorRetryException as error:
            if isinstance(error.__cause__, GxllmError):
                raise error.__cause__ from None
            raise AnswerRejected(
                f"{prompt.id}: no valid answer in {error.n_attempts} tries; last: {_reason(error.__cause__ or error)}"
            ) from None
        if self.cache is not None:
            self.cache.put(key, self.model_id, prompt.id, answer.model_dump(mode="json"))
        return answer

    def _cached(self, key: str, response_model: type[T], context: dict[str, Any] | None) -> T | None:
        data = self.cache.get(key) if self.cache is not None else None
        if data is None:
            return None
        try:
            answer = response_model.model_validate(data, context=context)
        except ValidationError:
            return None
        self.usage.cache_hits += 1
        return answer

    def _generate(self, *, messages: list[Message], max_tokens: int, **_: Any) -> ChatCompletion:
        """One generation, in the shape instructor reads (an OpenAI chat completion)."""
        completion = self.runtime.complete(messages, max_tokens=max_tokens)
        self.usage.calls += 1
        self.usage.tokens_in += completion.tokens_in
        self.usage.tokens_out += completion.tokens_out
        self.usage.seconds += completion.seconds
        log.debug("%s: %d tokens in, %d out, %.1f s", self.model_id, completion.tokens_in, completion.tokens_out, completion.seconds)
        return ChatCompletion.model_validate(
            {
                "id": f"gxllm-{self.usage.calls}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": self.model_id,
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": completion.finish_reason,
                        "message": {"role": "assistant", "content": completion.text},
                    }
                ],
                "usage": {
                    "prompt_tokens": completion.tokens_in,
                    "completion_tokens": completion.tokens_out,
                    "total_tokens": completion.tokens_in + completion.tokens_out,
                },
            }
        )


def _reason(error: BaseException) -> str:
    """The validation message itself, not pydantic's "1 validation error for …" header."""
    if isinstance(error, ValidationError) and error.errors():
        return error.errors()[0]["msg"].removeprefix("Value error, ")
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
