"""What every runtime is: chat messages in, one greedy completion out, with the tokens it cost."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel

Message = dict[str, str]
FinishReason = Literal["stop", "length"]


class Completion(BaseModel):
    text: str
    tokens_in: int
    tokens_out: int
    seconds: float
    finish_reason: FinishReason


class Runtime(Protocol):
    # Names runtime and weights for the answer cache.
    model_id: str

    def complete(self, messages: list[Message], *, max_tokens: int) -> Completion:
        """One greedy answer; raises AnswerTimeout past the runtime's time limit."""
        ...
