"""The optional language model: grounded narrative, metadata and table-row reading.

Nothing here runs unless ``GXLLM_LLM_RUNTIME`` names a runtime. Where a user
comes in (a command, the Python API, a batch worker) the model is opened once
(:func:`open_client`) and passed to the pipeline, which hands it to the tasks
(:mod:`gxllm.llm.narrative`, :mod:`gxllm.llm.readings`, :mod:`gxllm.llm.tasks`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gxllm.settings import Settings

if TYPE_CHECKING:
    from gxllm.llm.client import LlmClient


def open_client(settings: Settings) -> LlmClient | None:
    """The configured model, loaded; None when ``llm_runtime`` is "none". Loading takes
    seconds, so a caller opens it once for all its reports. A runtime or model that is
    not installed is a :class:`~gxllm.errors.ConfigError`."""
    if settings.llm_runtime == "none":
        return None
    # The optional "llm" dependencies are imported only when a model is configured.
    from gxllm.llm.cache import AnswerCache
    from gxllm.llm.client import LlmClient
    from gxllm.llm.runtimes import load_runtime

    return LlmClient(
        load_runtime(settings),
        cache=AnswerCache(settings.cache_dir / "answers"),
        max_retries=settings.llm_max_retries,
    )
