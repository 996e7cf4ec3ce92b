"""Gold sets: directories of cases laid out as docs/record.md §4 says.

A case is a source file ``NAME.EXT`` with ``NAME.gold.json`` beside it. One
gold may serve several sources (``report.txt`` and ``report.pdf`` are two
cases with the same truth). Subfolders are searched too.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gxllm import strict_json
from gxllm.errors import BadGold, one_line
from gxllm.narrative.taxonomy import THEME_NAMES
from gxllm.read import SUPPORTED_SUFFIXES
from gxllm.record import ItemThemes, Record

GOLD_SUFFIX = ".gold.json"
# Beside the cases, optional: the themes of every narrative item, one line per
# item: file (the source's name), list, index, themes (main first, ";"-joined), item.
THEMES_FILE = "THEMES.tsv"


@dataclass(frozen=True)
class GoldCase:
    name: str  # the source's path relative to the gold directory, e.g. "seeds/haian-kjj-2019.txt"
    source: Path
    gold_path: Path
    gold: Record
    themes: ItemThemes | None = None  # from THEMES.tsv beside the source, when it has the case


def load_themes(path: Path) -> dict[str, ItemThemes]:
    """THEMES.tsv by source file name; :class:`BadGold` when a line is malformed or its themes unknown."""
    by_file: dict[str, dict[Any, dict[int, list[str]]]] = {}
    try:
        rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    except (OSError, UnicodeDecodeError) as error:
        raise BadGold(f"{path}: not readable ({error})") from error
    for number, row in enumerate(rows, start=2):
        themes = (row.get("themes") or "").split(";")
        if row.get("list") not in ("problems", "remedies") or not (row.get("index") or "").isdigit():
            raise BadGold(f"{path}:{number}: needs file, list (problems|remedies), index, themes, item")
        unknown = [t for t in themes if t not in THEME_NAMES]
        if unknown:
            raise BadGold(f"{path}:{number}: themes {unknown} are not in the taxonomy")
        by_file.setdefault(row["file"], {}).setdefault(row["list"], {})[int(row["index"])] = themes
    return {
        file: {name: [items[i] for i in sorted(items)] for name, items in lists.items()}
        for file, lists in by_file.items()
    }


def load_gold(path: Path) -> Record:
    """The gold record in ``path``, or :class:`BadGold` saying what is wrong with it."""
    try:
        data = strict_json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise BadGold(f"{path}: not readable JSON ({one_line(error)})") from error
    try:
        record = Record.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        raise BadGold(f"{path}: does not match docs/record.md at {where}: {first['msg']}") from error
    # Without a template the gold's cells cannot be named, so nothing could be scored.
    if record.template is None:
        raise BadGold(f"{path}: does not match docs/record.md: no template")
    return record


def _stem(path: Path, suffix: str) -> tuple[Path, str]:
    return path.parent, path.name[: -len(suffix)]


def load_gold_dir(directory: Path) -> list[GoldCase]:
    """Every case under ``directory``, sorted by name; :class:`BadGold` when there is none."""
    if not directory.is_dir():
        raise BadGold(f"{directory}: not a directory")
    files = [path for path in directory.rglob("*") if path.is_file()]
    sources: dict[tuple[Path, str], list[Path]] = {}
    for path in files:
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            sources.setdefault(_stem(path, path.suffix), []).append(path)
    themes = {path.parent: load_themes(path) for path in files if path.name == THEMES_FILE}
    cases: list[GoldCase] = []
    for gold_path in sorted(path for path in files if path.name.endswith(GOLD_SUFFIX)):
        gold = load_gold(gold_path)
        beside = sources.get(_stem(gold_path, GOLD_SUFFIX))
        if not beside:
            stem = gold_path.name[: -len(GOLD_SUFFIX)]
            raise BadGold(
                f"{gold_path}: no source file beside it (expected {stem}.EXT, EXT one of {' '.join(sorted(SUPPORTED_SUFFIXES))})"
            )
        cases += [
            GoldCase(
                source.relative_to(directory).as_posix(),
                source,
                gold_path,
                gold,
                themes.get(source.parent, {}).get(source.name),
            )
            for source in beside
        ]
    if not cases:
        raise BadGold(f"{directory}: no gold cases (NAME.EXT with NAME{GOLD_SUFFIX} beside it)")
    return sorted(cases, key=lambda case: case.name)
