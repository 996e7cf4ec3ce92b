"""Prompts are files in ``prompts/``, one per task and version: ``NAME.vN.md``.

A file has a ``# system`` and a ``# user`` part; ``$name`` placeholders in
them are filled in per call. A prompt that asks several questions, each only
when it is needed, keeps each question in a ``# part NAME`` section: the
parts asked are filled in and joined into the user part's ``$parts``. A new
wording is a new version file, so answers
cached under the old one are never served for the new one (the file's hash
is part of the prompt's id as well, in case a file is edited in place).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from string import Template

from pydantic import BaseModel

from gxllm.llm.runtimes import Message

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"

_PART = re.compile(r"^# (system|user|part \w+)\s*$", re.MULTILINE)


class Prompt(BaseModel):
    name: str
    version: str
    system: str
    user: str
    parts: dict[str, str] = {}
    digest: str

    @property
    def id(self) -> str:
        return f"{self.name}.{self.version}@{self.digest[:12]}"

    def render(self, parts: dict[str, dict[str, str]] | None = None, **values: str) -> list[Message]:
        """The chat messages, every placeholder filled (a missing one is an error).

        ``parts`` names the questions asked, each with the values of its own placeholders.
        """
        if parts is not None:
            values["parts"] = "\n\n".join(Template(self.parts[name]).substitute(filled) for name, filled in parts.items())
        return [
            {"role": "system", "content": Template(self.system).substitute(values)},
            {"role": "user", "content": Template(self.user).substitute(values)},
        ]


def load_prompt(name: str, version: str, folder: Path = PROMPTS_DIR) -> Prompt:
    path = folder / f"{name}.{version}.md"
    text = path.read_text(encoding="utf-8")
    pieces = _PART.split(text)
    sections = {pieces[i]: pieces[i + 1].strip() for i in range(1, len(pieces) - 1, 2)}
    if not {"system", "user"} <= set(sections):
        raise ValueError(f"{path}: a prompt file needs one '# system' and one '# user' part")
    return Prompt(
        name=name,
        version=version,
        system=sections["system"],
        user=sections["user"],
        parts={key.removeprefix("part "): body for key, body in sections.items() if key.startswith("part ")},
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
