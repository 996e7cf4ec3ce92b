"""A report as a web page: real ``<table>`` markup, or tables flattened to text.

Pages carry the furniture a reader must drop: a ``<style>`` and ``<script>`` in
the head, and a script beside the section-3 table whose text repeats a row
label with wrong numbers, so a reader that keeps scripts reads the wrong row.
"""

from __future__ import annotations

from html import escape
from typing import Literal

from gxllm.fixturegen.grid import SECTIONS, Grid, grid
from gxllm.fixturegen.seeds import split_seed
from gxllm.record import Record

Flattening = Literal["table", "p", "br"]

_STYLE = """<style>
.gk-table { border-collapse: collapse; width: 100%; }
.gk-table td { border: 1px solid #333; padding: 2px 4px; min-width: 48px; }
.gk-num { text-align: right; font-size: 14px; }
</style>"""
_HEAD_SCRIPT = """<script>
var _hmt = _hmt || [];
var pageStats = {year: 2024, visits: 18858, ids: [65, 3, 0, 0, 0, 0, 68]};
</script>"""
# Placed right before the section-3 table: a reader that keeps script text sees
# this row label twice, the first time with numbers that are not the table's.
_TRAP_SCRIPT = """<script type="text/javascript">
// 旧版表格数据，已停用
var oldRows = {"一、本年新收政府信息公开申请数量": [99, 98, 97, 96, 95, 94, 579]};
document.write("<span style='display:none'>" + oldRows["一、本年新收政府信息公开申请数量"].join(" ") + "</span>");
</script>"""


def table_html(cells: Grid) -> str:
    """One table as ``<table>`` markup with the template's row and column spans."""
    rows = []
    for row in cells:
        tds = []
        for cell in row:
            spans = "".join(
                f' {name}="{count}"'
                for name, count in (("rowspan", cell.rowspan), ("colspan", cell.colspan))
                if count > 1
            )
            css = ' class="gk-num"' if cell.kind == "value" else ""
            tds.append(f"<td{spans}{css}>{escape(cell.text)}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return '<table class="gk-table" border="1" cellspacing="0">\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>"


def _flattened(cells: Grid, flattening: Flattening) -> str:
    texts = [escape(cell.text) for row in cells for cell in row if cell.text]
    if flattening == "p":
        return "\n".join(f"<p>{text}</p>" for text in texts)
    return "<p>" + "<br>\n".join(texts) + "</p>"


def _paragraphs(text: str) -> list[str]:
    return [f"<p>{escape(line.strip())}</p>" for line in text.split("\n") if line.strip()]


def report_html(seed_text: str, record: Record, flattening: Flattening = "table", charset: str = "utf-8") -> str:
    """``seed_text``'s prose around ``record``'s tables as a page.

    ``flattening`` "table" writes real table markup; "p" writes each cell as a
    paragraph and "br" each table as one paragraph with a line break between
    cells, as pages copied out of word processors do. ``charset`` is declared
    in the page (the caller encodes the bytes with it).
    """
    parts = split_seed(seed_text)
    *before, heading2 = parts.prose[0].split("\n")
    heading5, *after = parts.prose[3].split("\n")
    headings = [heading2, parts.prose[1], parts.prose[2]]
    title = f"{record.agency}{record.year}年政府信息公开工作年度报告"
    body = _paragraphs("\n".join(before))
    for section, heading in zip(SECTIONS, headings, strict=True):
        cells = grid(record, section)
        body.append(f"<h3>{escape(heading.strip())}</h3>")
        if section == "section3":
            body.append(_TRAP_SCRIPT)
        body.append(table_html(cells) if flattening == "table" else _flattened(cells, flattening))
    body.append(f"<h3>{escape(heading5.strip())}</h3>")
    body += _paragraphs("\n".join(after))
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-CN">',
            "<head>",
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
            f"<title>{escape(title)}</title>",
            _STYLE,
            _HEAD_SCRIPT,
            "</head>",
            "<body>",
            '<div class="article">',
            *body,
            "</div>",
            "</body>",
            "</html>",
            "",
        ]
    )
