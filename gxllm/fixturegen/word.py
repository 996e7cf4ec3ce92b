"""A report saved as a web page by Microsoft Word (the 沭阳 page's markup).

Word writes every run of text with its own formatting as its own
``<span>``/``<font>``, so a label, a year or a number breaks across tags
(``<span>（</span><span lang=EN-US>一</span>…``, ``20<span>24</span>``), ends
paragraphs with ``<o:p></o:p>``, keeps the template's spans (三、本年度办理结果
spanning 22 rows), fills empty cells with ``&nbsp;``, adds a row of zero-height
spacer cells under each table, and wraps its own settings in conditional
comments. A few zero cells are left blank, as agencies leave them: null in gold.
"""

from __future__ import annotations

import random
from html import escape

from gxllm.fixturegen.grid import SECTIONS, Grid, GridCell, grid
from gxllm.fixturegen.seeds import split_seed
from gxllm.record import Record

_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<!--[if gte mso 9]><xml>
 <w:WordDocument><w:View>Print</w:View><w:Zoom>100</w:Zoom></w:WordDocument>
</xml><![endif]-->
<style>
<!--
 p.MsoNormal {margin:0cm; text-align:justify; font-size:10.5pt; font-family:等线;}
 span.font0 {font-family:宋体;}
-->
</style>
</head>
<body lang=ZH-CN style='tab-interval:21.0pt'>
<div class=WordSection1>"""
_TAIL = """</div>
</body>
</html>
"""
_RUN_STYLES = (
    "<span style='font-family:宋体'>{}</span>",
    "<span lang=EN-US>{}</span>",
    "<font face=\"仿宋_GB2312\">{}</font>",
    "<span style='font-size:12.0pt;font-family:仿宋'>{}</span>",
)


def _runs(text: str, rng: random.Random) -> str:
    """``text`` cut into two to four runs, each in its own tag, as Word saves it."""
    if len(text) < 2:
        return escape(text)
    cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(1, 3))))
    bounds = [0, *cuts, len(text)]
    return "".join(rng.choice(_RUN_STYLES).format(escape(text[a:b])) for a, b in zip(bounds, bounds[1:], strict=False))


def _paragraph(text: str, rng: random.Random, align: str = "") -> str:
    align = f" align={align}" if align else ""
    return f"<p class=MsoNormal{align}>{_runs(text, rng)}<span lang=EN-US><o:p></o:p></span></p>"


def _cell(cell: GridCell, rng: random.Random) -> str:
    spans = "".join(
        f" {name}={count}" for name, count in (("rowspan", cell.rowspan), ("colspan", cell.colspan)) if count > 1
    )
    if cell.text:
        body = _paragraph(cell.text, rng, "center")
    else:
        body = "<p class=MsoNormal align=center><span lang=EN-US><o:p>&nbsp;</o:p></span></p>"
    return f"<td{spans} valign=middle style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'>{body}</td>"


def _table(cells: Grid, rng: random.Random) -> str:
    width = max(sum(c.colspan for c in row) for row in cells)
    rows = ["<tr>" + "".join(_cell(cell, rng) for cell in row) + "</tr>" for row in cells]
    spacer = "<tr height=0>" + "<td width=48 style='border:none'></td>" * width + "</tr>"
    return (
        "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse'>"
        + "\n".join(rows)
        + spacer
        + "</table>"
    )


def blank_zeros(record: Record, rng: random.Random, count: int = 6) -> Record:
    """``record`` with ``count`` of its section-3 zero cells printed blank (null)."""
    gold = record.model_copy(deep=True)
    zeros = [p for p, v in record.cells() if p.startswith("section3.") and v == 0]
    for path in rng.sample(zeros, min(count, len(zeros))):
        gold.set_cell(path, None)
    return gold


def report_word_html(seed_text: str, record: Record, rng: random.Random) -> str:
    """``seed_text``'s prose around ``record``'s tables as Word saves a page."""
    parts = split_seed(seed_text)
    *before, heading2 = parts.prose[0].split("\n")
    heading5, *after = parts.prose[3].split("\n")
    headings = [heading2, parts.prose[1], parts.prose[2]]
    body = [_paragraph(line.strip(), rng) for line in before if line.strip()]
    for section, heading in zip(SECTIONS, headings, strict=True):
        body.append(_paragraph(heading.strip(), rng))
        body.append(_table(grid(record, section), rng))
    body.append(_paragraph(heading5.strip(), rng))
    body += [_paragraph(line.strip(), rng) for line in after if line.strip()]
    return "\n".join([_HEAD, *body, _TAIL])
