"""Random rule-keeping records and the run-together search of the fixture generator."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from gxllm.fixturegen.grid import table_rows
from gxllm.fixturegen.records import random_record
from gxllm.fixturegen.runtogether import failing, lines, pick_glue, printed_tokens, readings, splits
from gxllm.record import Record
from gxllm.template import TEMPLATES

APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other"]
OUTCOMES = ["upheld", "corrected", "other", "pending"]


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("seed", range(25))
def test_random_records_keep_every_rule_recomputed(template: str, seed: int) -> None:
    record = random_record(template, random.Random(seed)).to_json()
    s3, s4 = record["section3"], record["section4"]
    outcome_rows = TEMPLATES[template].outcome_rows
    assert set(s3) == set(TEMPLATES[template].section3.row_keys)
    for row in s3.values():  # S3_ROW_TOTAL
        assert row["total"] == sum(row[c] for c in APPLICANTS)
    for column in [*APPLICANTS, "total"]:
        # S3_BALANCE and S3_OUTCOME_TOTAL
        assert s3["new"][column] + s3["carried_over"][column] == s3["total"][column] + s3["carried_forward"][column]
        assert s3["total"][column] == sum(s3[key][column] for key in outcome_rows)
    for group in s4.values():  # S4_TOTAL
        assert group["total"] == sum(group[c] for c in OUTCOMES)
    for section in ("section2", "section3", "section4"):
        for row_key, row in record[section].items():
            for column, value in row.items():
                assert value is not None
                if column != "change":
                    assert value >= 0, f"{section}.{row_key}.{column}"


def test_random_records_look_like_district_reports() -> None:
    records = [random_record("2021", random.Random(seed)).to_json() for seed in range(100)]
    new_totals = [r["section3"]["new"]["total"] for r in records]
    licensing = [r["section2"]["licensing"]["decisions"] for r in records]
    assert 0 < sum(new_totals) / len(new_totals) < 150
    assert max(licensing) >= 1000 and min(licensing) == 0  # spread over magnitudes, some zeros
    zero_share = sum(v == 0 for r in records for v in r["section3"]["granted"].values()) / (7 * len(records))
    assert 0.3 < zero_share < 0.9
    changes = [
        r["section2"]["licensing"]["change"]
        for r in (random_record("2019", random.Random(s)).to_json() for s in range(100))
    ]
    assert min(changes) < 0 < max(changes)


def test_random_records_are_reproducible() -> None:
    assert random_record("2021", random.Random(7)) == random_record("2021", random.Random(7))
    assert random_record("2021", random.Random(7)) != random_record("2021", random.Random(8))


def test_failing_names_each_broken_sum_and_skips_unread_cells() -> None:
    record = random_record("2021", random.Random(3))
    values = {path: value for path, value in record.cells()}
    values["section3.granted.natural_person"] += 1
    values["section4.review.total"] += 1
    spec = TEMPLATES["2021"]
    assert sorted((eq.rule, eq.totals[0]) for eq in failing(spec, values)) == [
        ("S3_OUTCOME_TOTAL", "section3.total.natural_person"),
        ("S3_ROW_TOTAL", "section3.granted.total"),
        ("S4_TOTAL", "section4.review.total"),
    ]
    del values["section3.granted.natural_person"]  # an unread cell breaks no sum
    assert [eq.rule for eq in failing(spec, values)] == ["S4_TOTAL"]


def test_splits_cuts_digits_every_way_in_order() -> None:
    assert sorted(splits(["653", "68"], 3)) == [(6, 53, 68), (65, 3, 68), (653, 6, 8)]
    assert splits(["12"], 3) == []
    assert splits(["00", "5"], 3) == [(0, 0, 5)]


def _zero_2021() -> Record:
    record = Record.empty("2021")
    for path, _ in record.cells():
        record.set_cell(path, 0)
    return record


def test_readings_finds_the_one_split_the_sums_allow() -> None:
    record = _zero_2021()
    for column, value in (("natural_person", 65), ("commercial", 3), ("total", 68)):
        for row in ("new", "granted", "total"):
            record.set_cell(f"section3.{row}.{column}", value)
    line = tuple(f"section3.new.{c}" for c in [*APPLICANTS, "total"])
    tokens = printed_tokens(record, line, frozenset({"section3.new.natural_person"}))
    assert tokens == ["653", "0", "0", "0", "0", "68"]
    assert len(splits(tokens, 7)) == 3  # the digits alone do not decide
    assert readings(record, {line: tokens}) == [{path: record.cell(path) for path in line}]


def test_readings_reports_every_split_when_the_sums_allow_two() -> None:
    # 予以公开 (1, 11 | 12) and 部分公开 (11, 1 | 12) both print "111 … 12": swapping
    # the two rows' cuts keeps every row and column sum, so two readings fit.
    record = _zero_2021()
    for row, person, company in (("granted", 1, 11), ("partial", 11, 1)):
        record.set_cell(f"section3.{row}.natural_person", person)
        record.set_cell(f"section3.{row}.commercial", company)
        record.set_cell(f"section3.{row}.total", 12)
    for row in ("new", "total"):
        for column, value in (("natural_person", 12), ("commercial", 12), ("total", 24)):
            record.set_cell(f"section3.{row}.{column}", value)
    assert failing(record.spec, dict(record.cells())) == []
    run_in = {
        tuple(f"section3.{row}.{c}" for c in [*APPLICANTS, "total"]): f"section3.{row}.natural_person"
        for row in ("granted", "partial")
    }
    glue = frozenset(run_in.values())
    found = readings(record, {line: printed_tokens(record, line, glue) for line in run_in})
    assert len(found) == 2


def test_pick_glue_returns_cells_readable_one_way_only() -> None:
    gold = Path(__file__).parents[1] / "fixtures" / "seeds" / "lianyun-gov-2024.gold.json"
    record = Record.model_validate(json.loads(gold.read_text(encoding="utf-8")))
    glue = pick_glue(record, random.Random(1))
    assert glue and any(path.startswith("section3.") for path in glue)
    run_in = [line for line in lines(record) if set(line) & glue]
    printed = {line: printed_tokens(record, line, glue) for line in run_in}
    assert all(len(tokens) < len(line) for line, tokens in printed.items())
    assert readings(record, printed) == [{path: record.cell(path) for line in run_in for path in line}]
    assert pick_glue(_zero_2021(), random.Random(0)) is None  # nothing but zeros: no place to run digits in


def test_table_rows_expand_spans_into_a_plain_matrix() -> None:
    record = random_record("2021", random.Random(5))
    rows = table_rows(record, "section3")
    assert {len(row) for row in rows} == {10}
    new = next(row for row in rows if row[0] == "一、本年新收政府信息公开申请数量")
    assert new[1:3] == ["", ""]
    assert new[3:] == [str(record.cell(f"section3.new.{c}")) for c in [*APPLICANTS, "total"]]
    folded = table_rows(record, "section3", other_as_one_row=True)
    assert len(folded) == len(rows) - 2
    other = next(row for row in folded if row[1] == "（六）其他处理")
    keys = ("other_overdue_correction", "other_overdue_fee", "other_other")
    assert other[9] == str(sum(record.cell(f"section3.{k}.total") for k in keys))
