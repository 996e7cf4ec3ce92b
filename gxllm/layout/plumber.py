"""The part of pdfplumber's table finder gxllm uses, which pdfplumber does not document.

pdfplumber documents its table finder only as a whole, driven by a page's
own objects (``Page.find_tables``); gxllm needs its edge → intersection →
cell algorithm on ruling lines of its own (found in a scanned page, or
assembled from a PDF's strokes), so it calls the module functions behind
it: ``merge_edges`` (which takes its four tolerances positionally only),
``edges_to_intersections``, ``intersections_to_cells`` and
``cells_to_tables``, with edges as pdfplumber's dicts. They are called here
and nowhere else, and pyproject.toml pins the pdfplumber they were written
against; ``tests/test_layout.py`` checks this function's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pdfplumber.table import (
    cells_to_tables,
    edges_to_intersections,
    intersections_to_cells,
    merge_edges,
)

from gxllm.document import Box
from gxllm.layout.boxes import Rule


def _edge(rule: Rule) -> dict[str, Any]:
    """A rule as pdfplumber's edge: a line of no thickness through the rule's middle."""
    x0, top, x1, bottom = rule.box
    if rule.orientation == "h":
        y = (top + bottom) / 2
        return {"orientation": "h", "x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0}
    x = (x0 + x1) / 2
    return {"orientation": "v", "x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0, "height": bottom - top}


def ruled_tables(rules: Sequence[Rule], tolerance: float) -> list[list[Box]]:
    """The cells the rules enclose, one list per connected table.

    Rules closer than ``tolerance`` are snapped into one, gaps up to it in a
    rule are closed, and rules meet where they come within it of each other.
    """
    if not rules:
        return []
    edges = merge_edges([_edge(rule) for rule in rules], tolerance, tolerance, tolerance, tolerance)
    intersections = edges_to_intersections(edges, tolerance, tolerance)
    return cells_to_tables(intersections_to_cells(intersections))
