"""The fast CPU runtime: llama.cpp through cyllama's prebuilt wheel.

cyllama ships llama.cpp compiled in its wheel (no source build, no other
dependency) and loads the GGUF as it is: the quantised weights stay
quantised, so the 1.5B model runs in under 2 GB.

cyllama's contexts use llama.cpp's default of four threads whatever the
machine; on two cores shared with other work the extra threads spin against
each other, so each context is set to the cores this process may use.
"""

from __future__ import annotations

import os
import threading
import time

from gxllm.llm.errors import AnswerTimeout, RuntimeUnavailable
from gxllm.llm.models import ModelFiles
from gxllm.llm.runtimes.base import Completion, Message


class LlamaCppRuntime:
    def __init__(self, files: ModelFiles, *, timeout_s: float):
        try:
            from cyllama import LLM, GenerationConfig
        except ImportError as error:
            raise RuntimeUnavailable(f"the llamacpp runtime needs cyllama: pip install 'gxllm[llamacpp]' ({error})") from None
        if not files.path.is_file():
            raise RuntimeUnavailable(f"{files.path}: the llamacpp runtime loads a .gguf file")
        self._config_type = GenerationConfig
        self._timeout_s = timeout_s
        self.model_id = f"llamacpp:{files.identity}"
        threads = len(os.sched_getaffinity(0))

        class _Llm(LLM):  # type: ignore[misc]
            def _ensure_context(self, prompt_length: int, config: GenerationConfig) -> object:
                context = super()._ensure_context(prompt_length, config)
                context.set_n_threads(threads, threads)
                return context

        # temperature 0 is greedy; repeat_penalty 1 leaves the logits alone, as transformers does.
        self._llm = _Llm(str(files.path), config=GenerationConfig(temperature=0.0, repeat_penalty=1.0), verbose=False)

    def complete(self, messages: list[Message], *, max_tokens: int) -> Completion:
        config = self._config_type(temperature=0.0, repeat_penalty=1.0, max_tokens=max_tokens)
        # cancel() stops generation between tokens and aborts a long prompt
        # evaluation, so the time limit holds in both phases.
        timer = threading.Timer(self._timeout_s, self._llm.cancel)
        started = time.perf_counter()
        timer.start()
        try:
            response = self._llm.chat(messages, config=config)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        if seconds >= self._timeout_s:
            raise AnswerTimeout(f"{self.model_id}: no answer within {self._timeout_s:g} s")
        stats = response.stats
        tokens_out = stats.generated_tokens if stats else 0
        return Completion(
            text=response.text,
            tokens_in=stats.prompt_tokens if stats else 0,
            tokens_out=tokens_out,
            seconds=seconds,
            finish_reason="length" if tokens_out >= max_tokens else "stop",
        )
