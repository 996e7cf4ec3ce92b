"""Values as a reviewer reads them in a flag's message (cells are named by :mod:`gxllm.labels`)."""

from __future__ import annotations

from gxllm.record import Number


def show(value: Number | None) -> str:
    """A value as a reviewer reads it: integers without ``.0``, null as 空."""
    if value is None:
        return "空"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def join_labels(labels: list[str]) -> str:
    return "、".join(labels)
