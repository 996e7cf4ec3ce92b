"""Property tests of the validator: consistent records raise nothing, single changes are named."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gxllm.record import Evidence, Fee, Record
from gxllm.template import APPLICANT_COLUMNS, TEMPLATES
from gxllm.validate import validate

ARITHMETIC = {"S3_BALANCE", "S3_ROW_TOTAL", "S3_OUTCOME_TOTAL", "S4_TOTAL"}
APPLICANTS = [c.key for c in APPLICANT_COLUMNS if c.key != "total"]
counts = st.integers(min_value=0, max_value=60)
examples = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def consistent_records(draw: st.DrawFn, version: str | None = None) -> Record:
    """A record of either template whose every rule holds (2019 本年增/减 may be negative)."""
    version = version or draw(st.sampled_from(["2019", "2021"]))
    spec = TEMPLATES[version]
    year = draw(st.integers(2019, 2020) if version == "2019" else st.integers(2021, 2025))
    record = Record.empty(version, agency="某县科学技术局", year=year)
    for column in APPLICANTS:
        outcomes = {row: draw(counts) for row in spec.outcome_rows}
        handled = sum(outcomes.values())
        carried_forward = draw(counts)
        carried_over = draw(st.integers(0, handled + carried_forward))
        values = {
            **outcomes,
            "total": handled,
            "carried_forward": carried_forward,
            "carried_over": carried_over,
            "new": handled + carried_forward - carried_over,
        }
        for row, value in values.items():
            record.set_cell(f"section3.{row}.{column}", value)
    for row in spec.section3.row_keys:
        record.set_cell(f"section3.{row}.total", sum(record.cell(f"section3.{row}.{c}") for c in APPLICANTS))
    for row in spec.section4.rows:
        parts = [draw(counts) for _ in range(4)]
        for column, value in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            record.set_cell(f"section4.{row.key}.{column}", value)
        record.set_cell(f"section4.{row.key}.total", sum(parts))
    for row in spec.section2.rows:
        for column in row.columns:
            value = draw(st.integers(-40, 40) if column.kind == "signed" else st.integers(0, 20000))
            record.set_cell(f"section2.{row.key}.{column.key}", value)
    overdue_fee = record.cell("section3.other_overdue_fee.total") if version == "2021" else 0
    record.fee = Fee(charged=bool(overdue_fee), text="本年度收费情况见上表。")
    # Section 五 names concrete problems and remedies (NARRATIVE_EMPTY).
    record.problems, record.remedies = ["政策解读形式单一", "栏目更新不及时"], ["丰富政策解读形式", "加强栏目管理"]
    return record


def printed_source(record: Record) -> tuple[str, dict[str, Evidence]]:
    """A source text printing every cell of ``record`` on its own line, with the evidence for it."""
    lines, evidence, offset = [], {}, 0
    for path, value in record.cells():
        token = "—" if value is None else str(value)
        line = f"{path}\t{token}"
        start = offset + len(path) + 1
        evidence[path] = Evidence(token=token, span=(start, start + len(token)))
        lines.append(line)
        offset += len(line) + 1
    return "\n".join(lines), evidence


def cells_of(record: Record, *sections: str) -> list[str]:
    return [path for path, _ in record.cells() if path.split(".")[0] in sections]


@examples
@given(consistent_records())
def test_a_consistent_record_raises_no_flag(record: Record) -> None:
    assert validate(record) == []
    text, evidence = printed_source(record)
    assert validate(record, evidence=evidence, source_text=text) == []


@examples
@given(consistent_records(), st.data())
def test_any_single_change_in_sections_3_and_4_is_flagged_naming_that_cell(record: Record, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(cells_of(record, "section3", "section4")))
    original = record.cell(path)
    changed = data.draw(st.integers(0, 200).filter(lambda v: v != original))
    record.set_cell(path, changed)

    flags = validate(record)

    naming = [f for f in flags if path in f.cells and f.severity == "error"]
    assert {f.rule for f in naming} & ARITHMETIC
    assert all(f.kind == "source" for f in naming)  # without evidence a value is taken as printed
    if path.startswith("section3"):
        # Every section-3 cell sits in one row sum and one column sum: it alone explains both.
        assert {(f.suspect, f.suggestion) for f in naming} == {(path, original)}


@examples
@given(consistent_records(), st.data())
def test_a_change_against_the_printed_source_is_an_extraction_error(record: Record, data: st.DataObject) -> None:
    text, evidence = printed_source(record)
    path = data.draw(st.sampled_from(cells_of(record, "section2", "section3", "section4")))
    original = record.cell(path)
    changed = data.draw(st.integers(-5, 20000).filter(lambda v: v != original))
    record.set_cell(path, changed)

    flags = validate(record, evidence=evidence, source_text=text)

    grounding = [f for f in flags if f.rule == "GROUNDING"]
    assert [(f.cells, f.kind, f.found, f.suggestion) for f in grounding] == [([path], "extraction", changed, original)]
    assert all(f.kind == "extraction" for f in flags if f.rule in ARITHMETIC)


@examples
@given(consistent_records(), st.data())
def test_a_null_cell_is_missing_and_decides_no_sum(record: Record, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(cells_of(record, "section2", "section3", "section4")))
    record.set_cell(path, None)

    flags = validate(record)

    assert [(f.rule, f.kind, f.severity, f.cells) for f in flags] == [("MISSING", "missing", "warning", [path])]


@examples
@given(consistent_records("2021"))
def test_2021_other_printed_as_one_row_raises_no_alarm(record: Record) -> None:
    for row in ("other_overdue_correction", "other_overdue_fee", "other_other"):
        setattr(record.section3, row, None)
    record.fee = Fee(charged=False, text="本年度未收取信息处理费。")

    flags = validate(record, source_text="（六）其他处理 3 0 0 0 0 0 3\n本年度未收取信息处理费。")

    assert [(f.rule, f.severity, f.kind) for f in flags] == [("MISSING", "info", "source")]
    assert "section3.other_other.total" in flags[0].cells
