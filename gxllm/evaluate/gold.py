"""Gold sets: directories of cases laid out as RECORD.md §4 says.

A case is a source file ``NAME.EXT`` with ``NAME.gold.json`` beside it. One
gold may serve several sources (``report.txt`` and ``report.pdf`` are two
cases with the same truth). Subfolders are searched too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from gxllm.errors import BadGold
from gxllm.record import Record

GOLD_SUFFIX = ".gold.json"
SOURCE_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


@dataclass(frozen=True)
class GoldCase:
    name: str  # the source's path relative to the gold directory, e.g. "seeds/haian-kjj-2019.txt"
    source: Path
    gold_path: Path
    gold: Record


def load_gold(path: Path) -> Record:
    """The gold record in ``path``, or :class:`BadGold` saying what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadGold(f"{path}: not readable JSON ({error})") from error
    try:
        record = Record.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        raise BadGold(f"{path}: does not match RECORD.md at {where}: {first['msg']}") from error
    # Without a template the gold's cells cannot be named, so nothing could be scored.
    if record.template is None:
        raise BadGold(f"{path}: does not match RECORD.md: no template")
    return record


def _sources_of(gold_path: Path) -> list[Path]:
    stem = gold_path.name[: -len(GOLD_SUFFIX)]
    return sorted(
        candidate
        for candidate in gold_path.parent.iterdir()
        if candidate.is_file()
        and candidate.suffix.lower() in SOURCE_SUFFIXES
        and candidate.name[: -len(candidate.suffix)] == stem
    )


def load_gold_dir(directory: Path) -> list[GoldCase]:
    """Every case under ``directory``, sorted by name; :class:`BadGold` when there is none."""
    if not directory.is_dir():
        raise BadGold(f"{directory}: not a directory")
    cases: list[GoldCase] = []
    for gold_path in sorted(directory.rglob(f"*{GOLD_SUFFIX}")):
        gold = load_gold(gold_path)
        sources = _sources_of(gold_path)
        if not sources:
            raise BadGold(
                f"{gold_path}: no source file beside it (expected one of "
                f"{', '.join(gold_path.name[: -len(GOLD_SUFFIX)] + s for s in SOURCE_SUFFIXES)})"
            )
        for source in sources:
            cases.append(GoldCase(source.relative_to(directory).as_posix(), source, gold_path, gold))
    if not cases:
        raise BadGold(f"{directory}: no gold cases (NAME.EXT with NAME{GOLD_SUFFIX} beside it)")
    return sorted(cases, key=lambda case: case.name)
