"""docs/record.md, the record contract, says what gxllm/template.py and the validator say."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from gxllm.template import (
    APPLICANT_COLUMNS,
    OUTCOME_COLUMNS,
    SECTION4,
    TEMPLATES,
    Column,
    sum_rules,
)

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "record.md").read_text(encoding="utf-8")


def _table(marker: str) -> list[list[str]]:
    """The body of the Markdown table after ``<!-- marker -->``: a list of cells per line, backticks removed."""
    after = DOC.split(f"<!-- {marker} -->\n", 1)[1]
    lines = []
    for line in after.splitlines()[2:]:  # past the header and its rule
        if not line.startswith("|"):
            break
        lines.append([cell.strip().strip("`") for cell in line.strip().strip("|").split("|")])
    return lines


def _columns(columns: tuple[Column, ...]) -> list[list[str]]:
    return [[c.key, c.label, c.kind] for c in columns]


def test_section2_of_each_template_lists_every_cell_with_its_labels_and_kind() -> None:
    for version, template in TEMPLATES.items():
        expected = [
            [row.key, row.label, column.key, column.label, column.kind]
            for row in template.section2.rows
            for column in row.columns
        ]
        assert _table(f"template-table: section2 {version}") == expected, version


def test_section3_rows_of_each_template_in_printed_order_with_their_outcome_groups() -> None:
    rows = _table("template-table: section3 rows")
    for version, template in TEMPLATES.items():
        documented = [row for row in rows if row[2] in ("both", version)]
        assert [row[:2] for row in documented] == [[row.key, row.label] for row in template.section3.rows], version
        assert [row[0] for row in documented if row[3]] == list(template.outcome_rows), version
    assert _table("template-table: section3 cells") == _columns(APPLICANT_COLUMNS)


def test_section4_rows_and_cells() -> None:
    assert _table("template-table: section4 rows") == [[row.key, row.label] for row in SECTION4.rows]
    assert _table("template-table: section4 cells") == _columns(OUTCOME_COLUMNS)
    assert all(row.columns == OUTCOME_COLUMNS for row in SECTION4.rows)
    assert all(template.section4 == SECTION4 for template in TEMPLATES.values())


def test_the_rules_are_the_ones_the_validator_raises() -> None:
    documented = {row[0] for row in _table("rules")}
    validate_package = importlib.import_module("gxllm.validate")  # the package (gxllm.validate is the function)

    raised = {
        rule
        for module in (ROOT / "gxllm" / "validate").glob("*.py")
        for rule in re.findall(r'"([A-Z][A-Z0-9_]{4,})"', module.read_text(encoding="utf-8"))
        if not hasattr(validate_package, rule)  # a name the package exports (__all__), not a rule
    }
    raised |= {rule.rule for template in TEMPLATES.values() for rule in sum_rules(template)}
    assert documented == raised
    assert len(documented) == 15
