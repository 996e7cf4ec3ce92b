"""Runtimes: one small interface over transformers, llama.cpp and OpenAI-compatible endpoints.

A runtime turns chat messages into one greedy completion and says how many
tokens went in and out. Everything above it (prompts, instructor's
validation and re-asks, the answer cache) is shared, so the three differ
only in how they load weights and generate.
"""

from __future__ import annotations

from gxllm.llm.errors import RuntimeUnavailable
from gxllm.llm.runtimes.base import Completion, FinishReason, Message, Runtime
from gxllm.settings import Settings

__all__ = ["Completion", "FinishReason", "Message", "Runtime", "load_runtime"]


def load_runtime(settings: Settings) -> Runtime:
    """The runtime ``settings.llm_runtime`` names, with its model loaded."""
    from gxllm.llm.models import resolve

    kind = settings.llm_runtime
    if kind == "openai":
        from gxllm.llm.runtimes.openai_compat import OpenAICompatRuntime

        if not settings.llm_base_url:
            raise RuntimeUnavailable("llm_runtime=openai needs GXLLM_LLM_BASE_URL, e.g. http://localhost:8000/v1")
        return OpenAICompatRuntime(
            settings.llm_base_url, settings.llm_model, api_key=settings.llm_api_key, timeout_s=settings.llm_timeout_s
        )
    if kind == "transformers":
        from gxllm.llm.runtimes.transformers import TransformersRuntime

        return TransformersRuntime(resolve(settings.llm_model, kind, settings), timeout_s=settings.llm_timeout_s)
    if kind == "llamacpp":
        from gxllm.llm.runtimes.llamacpp import LlamaCppRuntime

        return LlamaCppRuntime(resolve(settings.llm_model, kind, settings), timeout_s=settings.llm_timeout_s)
    raise RuntimeUnavailable("no language model configured: set GXLLM_LLM_RUNTIME to transformers, llamacpp or openai")
