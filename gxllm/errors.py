"""Errors a user can act on: each names the input and the reason in one line."""

from __future__ import annotations


class GxllmError(Exception):
    """Base class; ``str(error)`` is the one-line reason shown to the user."""


class UnsupportedInput(GxllmError):
    """The file's type is not one gxllm reads."""


class UnreadableInput(GxllmError):
    """The file exists but its bytes cannot be decoded or parsed."""


class EmptyInput(GxllmError):
    """The file holds no text at all."""


class NotAReport(GxllmError):
    """The text is readable but is not a 政府信息公开工作年度报告."""


class ConfigError(GxllmError):
    """gxllm is set up wrong (a setting's value, a language model runtime or model not installed,
    an OCR engine missing): no report can be read until it is fixed, so a batch or an upload stops
    with the reason instead of failing each document with it."""


class BadGold(GxllmError):
    """A gold file that is not a record as docs/record.md describes."""


# A reason shown to a user is one line of at most this many characters.
_REASON_LIMIT = 300


def one_line(error: BaseException) -> str:
    """``error``'s reason as one line: its first line, shortened; its type's name when it says nothing.
    An operating-system error gives its reason alone (the caller names the file, if it may be shown)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    lines = str(error).strip().splitlines()
    reason = lines[0].strip() if lines else type(error).__name__
    return reason if len(reason) <= _REASON_LIMIT else reason[: _REASON_LIMIT - 1] + "…"
