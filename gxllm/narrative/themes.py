"""A theme for each problem and remedy, read from the words it is written in.

Each theme of :mod:`gxllm.narrative.taxonomy` that an item names is one of
its themes, and the one it names first is its main theme: items open with
what they are about (加强队伍建设。开展业务培训…) and go on to how. An item
that names no theme at all is 其他 for the rules; the language-model stage
may find it one. Every theme keeps as evidence the words that named it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gxllm.document import NormalizedText
from gxllm.narrative.clauses import Clause, source_span
from gxllm.narrative.taxonomy import OTHER, THEMES
from gxllm.record import Evidence

NO_THEME_NOTE = "no theme of the taxonomy is named in the item"


@dataclass(frozen=True)
class ThemeCue:
    """A theme an item names, and where in the item's text (``Clause.text``) it names it."""

    theme: str
    start: int
    end: int


def themes_named(text: str) -> list[ThemeCue]:
    """The themes ``text`` names, main first; empty when it names none.

    Weak cues count only when no theme's own cues occur. Themes named at the
    same place keep the taxonomy's order.
    """
    found = [ThemeCue(t.name, *m.span()) for t in THEMES if (m := re.search(t.cues, text))]
    if not found:
        found = [ThemeCue(t.name, *m.span()) for t in THEMES if t.weak_cues and (m := re.search(t.weak_cues, text))]
    return sorted(found, key=lambda cue: cue.start)


def item_themes(clause: Clause, text: NormalizedText, key: str) -> tuple[list[str], dict[str, Evidence]]:
    """The themes of one item and their evidence under ``key.N`` (``themes.problems.0.0``)."""
    cues = themes_named(clause.text)
    if not cues:
        return [OTHER.name], {f"{key}.0": Evidence(method="rule", note=NO_THEME_NOTE)}
    evidence = {
        f"{key}.{n}": text.evidence(*source_span(clause, text.text, cue.start, cue.end), method="rule", note=cue.theme)
        for n, cue in enumerate(cues)
    }
    return [cue.theme for cue in cues], evidence
