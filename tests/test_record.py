"""The record models: the shape of docs/record.md, both templates, errors that name the cell."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from gxllm.record import Record
from gxllm.template import TEMPLATES
from tests.conftest import SEEDS


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.gold.json")), ids=lambda p: p.name)
def test_gold_round_trips_exactly(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert Record.model_validate(data).to_json() == data


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_empty_record_has_every_template_cell_null(version):
    record = Record.empty(version)
    cells = dict(record.cells())
    assert list(cells) == TEMPLATES[version].cell_paths()
    assert set(cells.values()) == {None}


def test_rows_of_the_other_template_are_refused():
    with pytest.raises(ValidationError, match="section3.other_other"):
        Record.model_validate({"template": "2019", "section3": {"other_other": {"total": 1}}})


def test_bad_cell_error_names_its_section():
    with pytest.raises(ValidationError, match=r"section3\.new\.total"):
        Record.model_validate({"template": "2021", "section3": {"new": {"total": "x"}}})


def test_unset_rows_are_visible_to_the_missing_rule():
    record = Record.model_validate({"template": "2021", "section3": {"new": {"total": 3}}})
    assert record.section3.model_fields_set == {"new"}
    record.set_cell("section3.carried_over.total", 5)
    assert record.cell("section3.carried_over.total") == 5
