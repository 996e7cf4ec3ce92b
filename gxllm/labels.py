"""The reviewer's names for cells, rows and fields, as the printed table names them.

Every flag's message, the review app and the prose's claims about the tables
name cells with the template's own labels (:mod:`gxllm.template`), so a
reviewer can find them in the report without knowing the record's keys.
"""

from __future__ import annotations

from gxllm.template import Template

# Section-3 sub-rows ("1.属于国家秘密") are numbered within a group whose label
# the template keeps as a heading, not a row: the key's prefix names the group.
_SECTION3_GROUPS = {
    "withheld": "三（三）不予公开",
    "unavailable": "三（四）无法提供",
    "rejected": "三（五）不予处理",
    "other": "三（六）其他处理",
}
_FIELDS = {
    "agency": "发布机构",
    "year": "年度",
    "template": "报告模板",
    "fee.charged": "信息处理费收取情况",
    "fee.amount_yuan": "信息处理费金额",
    "fee.text": "信息处理费说明",
}
_SECTION_TITLES = {"section2": "二、主动公开政府信息情况", "section3": "三、收到和处理政府信息公开申请情况",
                   "section4": "四、政府信息公开行政复议、行政诉讼情况"}


def row_label(spec: Template, section: str, row_key: str) -> str:
    """``三（三）不予公开·1.属于国家秘密``, ``三（七）总计``, ``行政诉讼·复议后起诉``."""
    table = next(t for t in spec.tables if t.section == section)
    label = table.row(row_key).label
    if section != "section3":
        return label
    group = _SECTION3_GROUPS.get(row_key.split("_")[0])
    if group is not None and label[:1].isdigit():
        # "…逾期不补正、行政机关不再处理其政府信息公开申请": the first clause tells the row apart.
        return f"{group}·{label.split('、')[0]}"
    return "三" + label if label.startswith("（") else label


def cell_label(spec: Template | None, path: str) -> str:
    """The reviewer's name for ``path``: a cell, a row, a section or a field of the record."""
    if path in _FIELDS:
        return _FIELDS[path]
    parts = path.split(".")
    if spec is None or parts[0] not in _SECTION_TITLES:
        return path
    if len(parts) == 1:
        return _SECTION_TITLES[parts[0]]
    row = row_label(spec, parts[0], parts[1])
    if len(parts) == 2:
        return row
    return f"{row}·{spec.column(path).label}"
