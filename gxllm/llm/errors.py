"""What can go wrong with a language model, each with the step that fixes it."""

from __future__ import annotations

from gxllm.errors import ConfigError, GxllmError


class ModelNotInstalled(ConfigError):
    """The named model is neither in the cache nor a path on disk."""


class ModelCheckFailed(ConfigError):
    """Joined chunk files whose size or sha256 is not the one pinned."""


class RuntimeUnavailable(ConfigError):
    """The runtime's package is missing, or the endpoint does not answer (every report would ask it in vain)."""


class AnswerTimeout(GxllmError):
    """The model took longer than ``llm_timeout_s`` for one answer."""


class AnswerRejected(GxllmError):
    """Every answer the model gave, re-asks included, failed validation."""
