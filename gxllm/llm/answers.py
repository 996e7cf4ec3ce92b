"""What every grounded task shares: the source an answer is checked against, and how its evidence is noted."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationInfo

from gxllm.llm.client import LlmClient
from gxllm.llm.errors import AnswerRejected, AnswerTimeout

# Failures that leave the deterministic reading in place; anything else
# (no runtime, no model installed) is a configuration error and propagates.
NO_ANSWER = (AnswerRejected, AnswerTimeout)


def context_of(info: ValidationInfo) -> dict[str, Any]:
    """What an answer is checked against, passed to ``LlmClient.ask`` as ``context``."""
    if not info.context:
        raise ValueError("answers are validated against the source, which was not given")
    return info.context


def model_note(llm: LlmClient, what: str) -> str:
    return f"{what} by {llm.model_id}"


class Answer(BaseModel):
    """A model's answer.

    Its JSON schema, which instructor writes into the system message, is shown
    compact: no titles, descriptions or defaults, nested models written in
    place. The prompt already says what each key holds; a small model on two
    cores pays for every token of the schema in seconds.
    """

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        schema = super().model_json_schema(*args, **kwargs)
        return _compact(schema, schema.get("$defs", {}))


_LEFT_OUT = {"title", "description", "default", "$defs"}


def _compact(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_compact(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _compact(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
    options = node.get("anyOf")
    if options and {"type": "null"} in options and len(options) == 2:
        other = _compact(next(o for o in options if o != {"type": "null"}), definitions)
        if set(other) == {"type"}:
            return {"type": [other["type"], "null"]}
        return {"anyOf": [other, {"type": "null"}]}
    return {key: _compact(value, definitions) for key, value in node.items() if key not in _LEFT_OUT}
