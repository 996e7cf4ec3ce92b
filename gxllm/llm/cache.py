"""Validated answers kept on disk, keyed by (model, prompt version, input hash).

A re-run over the same report with the same model and prompt costs nothing:
the answer is read back and validated again against the source, so a cached
answer is held to the same rules as a fresh one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from gxllm.console import write_atomically


class AnswerCache:
    def __init__(self, folder: Path):
        self.folder = folder

    @staticmethod
    def key(model_id: str, prompt_id: str, request: Any) -> str:
        """``request`` is everything sent to the model (messages, answer schema), as JSON data."""
        payload = json.dumps(request, ensure_ascii=False, sort_keys=True)
        input_hash = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        return hashlib.sha256(f"{model_id}\0{prompt_id}\0{input_hash}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))["answer"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            return None

    def put(self, key: str, model_id: str, prompt_id: str, answer: dict[str, Any]) -> None:
        record = {"model": model_id, "prompt": prompt_id, "answer": answer}
        write_atomically(self._path(key), json.dumps(record, ensure_ascii=False))
