"""Typed data passed between the pipeline's stages.

read → :class:`Document` → normalise → :class:`NormalizedText` → segment →
:class:`Segmented` → tables / narrative → :class:`~gxllm.record.Extraction`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gxllm.record import Evidence
from gxllm.template import TemplateVersion

# A line this long is a page run into one line (a crawler dropped the line
# breaks): headings and table rows stand inside it.
RUN_IN_LINE = 300

SourceKind = Literal["text", "html", "markdown", "pdf", "image"]


Box = tuple[float, float, float, float]


class Line(BaseModel):
    """A line of a page; ``box`` and ``confidence`` come from PDFs and OCR.

    A table row rebuilt from positions is one line whose cells are separated
    by tabs; ``cell_boxes`` then holds each cell's box, in order, so a value's
    evidence can point at its own cell rather than the whole row.
    """

    text: str
    page: int = 1
    box: Box | None = None
    cell_boxes: list[Box] | None = None
    # OCR's confidence in each cell, in order (``confidence`` is the row's lowest).
    cell_confidences: list[float | None] | None = None
    confidence: float | None = None


class Document(BaseModel):
    """A report as read from its file, before any normalisation.

    Tables that arrive as markup (HTML) are already flattened into lines whose
    cells are separated by tabs, so every later stage reads one kind of text.
    """

    model_config = ConfigDict(frozen=True)

    path: str
    sha256: str
    kind: SourceKind
    encoding: str | None = None
    lines: list[Line]
    pages: int = 1

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class NormalizedText(BaseModel):
    """The document's text after NFKC and traditional→simplified conversion.

    Line structure is kept (the table reader needs it); ``line_starts`` gives
    each line's offset so evidence spans can be turned back into lines, pages
    and boxes.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    line_starts: list[int]
    lines: list[Line] = Field(description="the source lines, for page and box look-up")
    kind: SourceKind = Field("text", description="what the document was read from")

    def line_index(self, offset: int) -> int:
        from bisect import bisect_right

        return max(0, bisect_right(self.line_starts, offset) - 1)

    def _method(self, line: Line | None) -> str:
        if line is not None and line.confidence is not None:
            return "ocr"
        return "html" if self.kind == "html" else "text"

    def evidence(self, start: int, end: int, method: str | None = None, note: str | None = None) -> Evidence:
        """Evidence for ``text[start:end]``, with the page and box of its line.

        ``method`` defaults to how the line itself was read: ``ocr`` for a line
        OCR gave (it carries a confidence), else ``html`` or ``text``.
        """
        index = self.line_index(start)
        line = self.lines[index] if self.lines else None
        box = line.box if line else None
        confidence = line.confidence if line else None
        if line is not None and line.cell_boxes:
            cell = self.text[self.line_starts[index] : start].count("\t")
            if cell < len(line.cell_boxes):
                box = line.cell_boxes[cell]
            if line.cell_confidences and cell < len(line.cell_confidences):
                confidence = line.cell_confidences[cell]
        return Evidence(
            token=self.text[start:end],
            span=(start, end),
            page=line.page if line else None,
            box=box,
            confidence=confidence,
            method=method or self._method(line),  # type: ignore[arg-type]
            note=note,
        )


class Section(BaseModel):
    """One of the report's six sections, as a span of the normalised text."""

    number: int = Field(ge=1, le=6)
    heading: str
    start: int = Field(description="offset where the section's body begins (after its heading)")
    end: int


class Segmented(BaseModel):
    """The document cut into sections, with the metadata read around them."""

    text: NormalizedText
    sections: dict[int, Section]
    row_labels: int = Field(description="how many row labels of one template's tables the text prints")
    template: TemplateVersion | None
    year: int | None
    agency: str | None
    evidence: dict[str, Evidence] = Field(default_factory=dict)

    def body(self, number: int) -> str:
        section = self.sections.get(number)
        return "" if section is None else self.text.text[section.start : section.end]


@dataclass(frozen=True)
class Compact:
    """A text with all whitespace removed (PDF text and crawler dumps break words
    and numbers across lines: "20" / "24年"), and the offset in the text of each
    of its characters."""

    text: str
    offsets: list[int]

    @classmethod
    def of(cls, source: str) -> Compact:
        runs = list(re.finditer(r"\S+", source))
        return cls("".join(m.group() for m in runs), [i for m in runs for i in range(m.start(), m.end())])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The source span of ``text[start:end]`` (non-empty)."""
        return self.offsets[start], self.offsets[end - 1] + 1
