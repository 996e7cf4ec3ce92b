"""The reviewer's names for cells, rows and fields, as the printed table names them.

Every flag's message, the review app and the prose's claims about the tables
name cells with the template's own labels (:mod:`gxllm.template`), so a
reviewer can find them in the report without knowing the record's keys.
"""

from __future__ import annotations

from gxllm.template import SECTION3_GROUPS, Template

_FIELDS = {
    "agency": "发布机构",
    "year": "年度",
    "template": "报告模板",
    "fee.charged": "信息处理费收取情况",
    "fee.amount_yuan": "信息处理费金额",
    "fee.text": "信息处理费说明",
}


def row_label(spec: Template, section: str, row_key: str) -> str:
    """``三（三）不予公开·1.属于国家秘密``, ``三（七）总计``, ``行政诉讼·复议后起诉``."""
    table = next(t for t in spec.tables if t.section == section)
    label = table.row(row_key).label
    if section != "section3":
        return label
    # Sub-rows ("1.属于国家秘密") are numbered within their group, named with it.
    group = next((g for g in SECTION3_GROUPS if g.holds(row_key)), None)
    if group is not None:
        # "…逾期不补正、行政机关不再处理其政府信息公开申请": the first clause tells the row apart.
        return f"三{group.label}·{label.split('、')[0]}"
    return "三" + label if label.startswith("（") else label


def cell_label(spec: Template | None, path: str) -> str:
    """The reviewer's name for ``path``: a cell, a row, a section or a field of the record."""
    if path in _FIELDS:
        return _FIELDS[path]
    parts = path.split(".")
    titles = {table.section: table.title for table in spec.tables} if spec is not None else {}
    if spec is None or parts[0] not in titles:
        return path
    if len(parts) == 1:
        return titles[parts[0]]
    row = row_label(spec, parts[0], parts[1])
    if len(parts) == 2:
        return row
    return f"{row}·{spec.column(path).label}"
