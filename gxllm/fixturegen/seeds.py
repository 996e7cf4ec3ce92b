"""The seed reports, and putting new tables into their prose.

A variant keeps everything a seed says around its tables (title, prose,
headings in the seed's own numbering and spacing, sections 五 and 六) and
replaces only what lies between the headings of sections 二, 三, 四 and 五.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gxllm.fixturegen.grid import SECTIONS, Section
from gxllm.fixturegen.records import random_record
from gxllm.record import Record

# What each heading says after its number; a seed may drop the number (海安 prints
# "存在的主要问题及改进情况" alone) or pad the line with spaces.
HEADINGS = {
    "section2": "主动公开政府信息情况",
    "section3": "收到和处理政府信息公开申请情况",
    "section4": "行政复议、行政诉讼情况",
    "section5": "存在的主要问题及改进情况",
}
# A heading line is the title plus at most its number and a few stray marks;
# longer lines that mention the title are prose.
_HEADING_SLACK = 8


@dataclass(frozen=True)
class Seed:
    name: str
    text: str
    gold: Record


def load_seeds(folder: Path) -> dict[str, Seed]:
    """Every ``NAME.txt`` with its ``NAME.gold.json`` in ``folder``, by name."""
    seeds = {}
    for path in sorted(folder.glob("*.txt")):
        gold = Record.model_validate(json.loads(path.with_suffix(".gold.json").read_text(encoding="utf-8")))
        seeds[path.stem] = Seed(path.stem, path.read_text(encoding="utf-8"), gold)
    return seeds


@dataclass(frozen=True)
class SeedParts:
    """A seed cut at its table headings: ``prose[0]`` ends with the heading of
    section 二, ``prose[1]`` and ``prose[2]`` are the headings of 三 and 四, and
    ``prose[3]`` runs from the heading of 五 to the end. ``tables`` holds what
    lies between them, and ``padding`` the blank lines around each table."""

    prose: tuple[str, str, str, str]
    tables: dict[Section, str]
    padding: tuple[tuple[int, int], ...]


def _heading_lines(lines: list[str]) -> list[int]:
    found = []
    start = 0
    for section, title in HEADINGS.items():
        for index in range(start, len(lines)):
            text = lines[index].strip()
            if title in text and len(text) <= len(title) + _HEADING_SLACK:
                found.append(index)
                start = index + 1
                break
        else:
            raise ValueError(f"no heading for {section} ({title})")
    return found


def split_seed(text: str) -> SeedParts:
    lines = text.split("\n")
    h2, h3, h4, h5 = _heading_lines(lines)
    padding = []
    tables = {}
    for section, first, last in zip(SECTIONS, (h2 + 1, h3 + 1, h4 + 1), (h3, h4, h5), strict=True):
        region = lines[first:last]
        leading = next((i for i, line in enumerate(region) if line.strip()), len(region))
        trailing = next((i for i, line in enumerate(reversed(region)) if line.strip()), 0)
        padding.append((leading, trailing))
        tables[section] = "\n".join(region[leading : len(region) - trailing])
    prose = (
        "\n".join(lines[: h2 + 1]),
        lines[h3],
        lines[h4],
        "\n".join(lines[h5:]),
    )
    return SeedParts(prose, tables, tuple(padding))


def splice(text: str, tables: Mapping[Section, str]) -> str:
    """``text`` with the tables of sections 二, 三 and 四 replaced by ``tables``."""
    parts = split_seed(text)
    pieces = [parts.prose[0]]
    for section, heading, (leading, trailing) in zip(SECTIONS, parts.prose[1:], parts.padding, strict=True):
        pieces.append("\n" * leading + tables[section] + "\n" * trailing)
        pieces.append(heading)
    return "\n".join(pieces)


def with_random_numbers(seed: Seed, rng: random.Random) -> Record:
    """The seed's gold with sections 2-4 replaced by random rule-keeping numbers."""
    numbers = random_record(seed.gold.template, rng).to_json()  # type: ignore[arg-type]
    sections = {key: numbers[key] for key in ("section2", "section3", "section4")}
    return Record.model_validate({**seed.gold.to_json(), **sections})


def gold_json(record: Record) -> str:
    return json.dumps(record.to_json(), ensure_ascii=False, indent=2) + "\n"
