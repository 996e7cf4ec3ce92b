"""A report as a born-digital PDF: the seed's prose around the record's tables.

The tables are drawn from :func:`gxllm.fixturegen.grid.grid` with the
template's row and column spans, in several page layouts: fully ruled grids
in a sans or a serif face, and an open "three-line" table with no vertical
rules (read from positions alone). Long tables run over a page break as real
reports do. Fonts come from Debian packages (``fonts-wqy-zenhei``,
``fonts-arphic-uming``); the same inputs write the same bytes.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from gxllm.fixturegen.grid import SECTIONS, Grid, grid, placed
from gxllm.fixturegen.seeds import Seed, gold_json, split_seed, with_random_numbers
from gxllm.record import Record

FONT_FILES = {
    "sans": Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    "serif": Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
}
# The Debian packages that hold FONT_FILES.
FONT_PACKAGES = ("fonts-wqy-zenhei", "fonts-arphic-uming")

Rules = Literal["grid", "open"]
# reportlab's frames pad their content by this much (points) on every side.
FRAME_PADDING = 6.0


@dataclass(frozen=True)
class PdfLayout:
    name: str
    font: Literal["sans", "serif"]
    body_size: float
    table_size: float
    rules: Rules
    # Group labels in a cell of their first row only, ruled off from the rows
    # below (as tables pasted between programs often are): the table can then
    # break across pages anywhere.
    split_groups: bool = False


LAYOUTS: dict[str, PdfLayout] = {
    layout.name: layout
    for layout in (
        PdfLayout("grid", "sans", 12, 9, "grid"),
        PdfLayout("grid-serif", "serif", 14, 10, "grid", split_groups=True),
        PdfLayout("open", "sans", 12, 9, "open"),
    )
}


@cache
def _font(kind: str) -> str:
    """The registered reportlab name of a font face, registering it once."""
    path = FONT_FILES[kind]
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: apt-get install {' '.join(FONT_PACKAGES)}")
    name = f"gx-{kind}"
    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
    return name


def _widths(cells: Grid, usable: float, size: float) -> list[float]:
    """Column widths: narrow group columns, one wide label column, even value columns."""
    positions = placed(cells)
    width = max(column + cell.colspan for _row, column, cell in positions)
    label_columns = sorted(
        {column for _row, column, cell in positions if cell.kind in ("label", "group") and cell.colspan == 1}
    )
    if not label_columns:
        return [usable / width] * width
    value_width = min(usable * 0.6 / (width - len(label_columns)), 8 * size)
    group_width = 4.5 * size
    label_width = usable - value_width * (width - len(label_columns)) - group_width * (len(label_columns) - 1)
    widths = [value_width] * width
    for column in label_columns[:-1]:
        widths[column] = group_width
    widths[label_columns[-1]] = label_width
    return widths


def _table(cells: Grid, layout: PdfLayout, usable: float) -> Table:
    font = _font(layout.font)
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=layout.table_size, leading=layout.table_size * 1.25)
    positions = placed(cells)
    width = max(column + cell.colspan for _row, column, cell in positions)
    matrix: list[list[object]] = [["" for _ in range(width)] for _ in cells]
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), font, layout.table_size),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
    ]
    for row, column, cell in positions:
        matrix[row][column] = Paragraph(cell.text, cell_style) if cell.kind != "value" else cell.text
        rowspan = 1 if layout.split_groups and cell.kind == "group" else cell.rowspan
        if rowspan > 1 or cell.colspan > 1:
            commands.append(("SPAN", (column, row), (column + cell.colspan - 1, row + rowspan - 1)))
    if layout.rules == "grid":
        commands.append(("GRID", (0, 0), (-1, -1), 0.6, colors.black))
    else:
        header_rows = next(i for i, row in enumerate(cells) if any(c.kind == "value" for c in row))
        commands += [
            ("LINEABOVE", (0, 0), (-1, 0), 1.2, colors.black),
            ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.6, colors.black),
            ("LINEBELOW", (0, -1), (-1, -1), 1.2, colors.black),
        ]
    table = Table(matrix, colWidths=_widths(cells, usable, layout.table_size), style=TableStyle(commands))
    return table


def report_pdf(seed_text: str, record: Record, layout: PdfLayout) -> bytes:
    """``seed_text``'s prose with ``record``'s tables in their sections, as PDF bytes."""
    font = _font(layout.font)
    body = ParagraphStyle("body", fontName=font, fontSize=layout.body_size, leading=layout.body_size * 1.6, firstLineIndent=layout.body_size * 2)
    heading = ParagraphStyle("heading", parent=body, firstLineIndent=0, spaceBefore=6, spaceAfter=4)
    title = ParagraphStyle("title", parent=heading, fontSize=layout.body_size + 6, leading=(layout.body_size + 6) * 1.5, alignment=1)
    parts = split_seed(seed_text)
    *before, heading2 = parts.prose[0].split("\n")
    heading5, *after = parts.prose[3].split("\n")
    story: list[Flowable] = [Paragraph(f"{record.agency}{record.year}年政府信息公开工作年度报告", title), Spacer(1, 6)]
    story += [Paragraph(_escape(line.strip()), body) for line in before if line.strip()]
    margin = 25 * mm
    usable = A4[0] - 2 * margin
    for section, text in zip(SECTIONS, [heading2, parts.prose[1], parts.prose[2]], strict=True):
        story.append(Paragraph(_escape(text.strip()), heading))
        story.append(_table(grid(record, section), layout, usable))
    story.append(Paragraph(_escape(heading5.strip()), heading))
    story += [Paragraph(_escape(line.strip()), body) for line in after if line.strip()]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title="",
        author="",
        creator="gxllm.fixturegen",
        invariant=True,
    )
    document.build(story, onLaterPages=_page_number(font), onFirstPage=_page_number(font))
    return out.getvalue()


def table_pdf(cells: Grid, layout: PdfLayout, width: float = A4[0]) -> bytes:
    """One table alone on a page just big enough for it (for tests and benchmarks)."""
    margin = 10.0
    table = _table(cells, layout, width - 2 * margin)
    _, height = table.wrap(width - 2 * margin, 10_000)
    out = io.BytesIO()
    SimpleDocTemplate(
        out, pagesize=(width, height + 2 * margin + 2 * FRAME_PADDING), leftMargin=margin, rightMargin=margin,
        topMargin=margin, bottomMargin=margin, invariant=True,
    ).build([table])
    return out.getvalue()


def _page_number(font: str):
    def draw(canvas, document) -> None:
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"- {document.page} -")

    return draw


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# (seed, layout, random numbers): the born-digital cases of fixtures/pdf.
CASES: tuple[tuple[str, str, bool], ...] = (
    ("lianyun-gov-2024", "grid", False),
    ("haian-kjj-2019", "grid-serif", True),
    ("lianyun-kjj-2024", "open", True),
    ("yindu-kjj-2024", "grid", True),
)


def case_name(seed_name: str, layout: str, random_numbers: bool) -> str:
    return f"{seed_name}.{layout}" + (".random" if random_numbers else "")


def pdf_case(seeds: dict[str, Seed], seed_name: str, layout: str, random_numbers: bool, seed: int) -> tuple[bytes, Record]:
    """One case's PDF bytes and gold record, drawn from ``seed`` and the case's name."""
    source = seeds[seed_name]
    rng = random.Random(f"{seed}:{case_name(seed_name, layout, random_numbers)}")
    record = with_random_numbers(source, rng) if random_numbers else source.gold
    return report_pdf(source.text, record, LAYOUTS[layout]), record


def write_pdf_cases(out: Path, seeds: dict[str, Seed], seed: int) -> None:
    """Write every case of :data:`CASES` with its gold beside it into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for seed_name, layout, random_numbers in CASES:
        pdf, record = pdf_case(seeds, seed_name, layout, random_numbers, seed)
        name = case_name(seed_name, layout, random_numbers)
        (out / f"{name}.pdf").write_bytes(pdf)
        (out / f"{name}.gold.json").write_text(gold_json(record), encoding="utf-8")
