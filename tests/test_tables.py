"""The template-anchored table reader, one test per layout of issue 2 point 5."""

from __future__ import annotations

import json

import pytest

from gxllm.record import Record
from gxllm.tables import read_tables
from gxllm.template import TEMPLATES
from tests.conftest import SEEDS
from tests.report_text import (
    cell_text,
    render,
    report,
    section2_rows,
    section3_rows,
    section4_cells,
    segmented,
)


@pytest.fixture
def lianyun() -> Record:
    """A real report's numbers: non-zero, and the sums hold."""
    return Record.model_validate(json.loads((SEEDS / "lianyun-gov-2024.gold.json").read_text(encoding="utf-8")))


@pytest.fixture
def record_2019(lianyun: Record) -> Record:
    data = lianyun.to_json()
    s3 = data["section3"]
    s3["other"] = {
        c: s3["other_overdue_correction"][c] + s3["other_overdue_fee"][c] + s3["other_other"][c] for c in s3["new"]
    }
    for key in ("other_overdue_correction", "other_overdue_fee", "other_other"):
        del s3[key]
    data["section2"] = {
        "rules": {"new_made": 1, "new_published": 2, "total_published": 30},
        "normative_docs": {"new_made": 4, "new_published": 5, "total_published": 60},
        "licensing": {"prev_items": 12, "change": -3, "decisions": 1885},
        "other_services": {"prev_items": 7, "change": 0, "decisions": 8},
        "penalty": {"prev_items": 90, "change": 2, "decisions": 701},
        "coercion": {"prev_items": 11, "change": 1, "decisions": 102},
        "fees": {"prev_items": 3, "change": -1},
        "procurement": {"items": 14, "amount": 2480.5},
    }
    return Record.model_validate({**data, "template": "2019", "year": 2019})


def cells_of(record: Record) -> dict[str, object]:
    return dict(record.cells())


def read(text: str) -> tuple[Record, dict]:
    result = read_tables(segmented(text))
    return result.record, result.evidence


def assert_same_cells(got: Record, want: Record) -> None:
    wrong = {p: (v, got.cell(p)) for p, v in want.cells() if got.cell(p) != v}
    assert wrong == {}


def test_spaced_rows_2021(lianyun):
    got, evidence = read(render(lianyun))
    assert_same_cells(got, lianyun)
    # Evidence points at the printed token.
    ev = evidence["section3.new.natural_person"]
    text = segmented(render(lianyun)).text.text
    assert text[ev.span[0] : ev.span[1]] == ev.token == "65"


def test_spaced_rows_2019_with_negative_change(record_2019):
    got, _ = read(render(record_2019))
    assert got.template == "2019"
    assert_same_cells(got, record_2019)
    assert got.cell("section2.licensing.change") == -3
    assert got.cell("section2.procurement.amount") == 2480.5


def test_one_cell_per_line(lianyun):
    got, _ = read(render(lianyun, lambda label, cells: "\n\n".join([label, *cells])))
    assert_same_cells(got, lianyun)


def test_pipe_rows(lianyun):
    got, _ = read(render(lianyun, lambda label, cells: " | ".join([label, *cells]) + " |"))
    assert_same_cells(got, lianyun)


def test_pipe_one_cell_per_line_with_padding(lianyun):
    # lianyun-gov-2024's own scrape: "label |", "65 |", then "||" padding cells.
    got, _ = read(render(lianyun, lambda label, cells: "\n".join([f"{label} |", *(f"{c} |" for c in cells), "||"])))
    assert_same_cells(got, lianyun)


def test_tab_rows_with_merged_label_columns(lianyun):
    got, _ = read(render(lianyun, lambda label, cells: "\t\t" + label + "\t\t" + "\t".join(cells) + "\t"))
    assert_same_cells(got, lianyun)


def test_labels_broken_across_lines_with_numbers_in_between(lianyun):
    def broken(label: str, cells: list[str]) -> str:
        cut = max(2, len(label) // 2)
        return f"{label[:cut]} {' '.join(cells)}\n {label[cut:]}"

    got, _ = read(render(lianyun, broken))
    assert_same_cells(got, lianyun)


def test_headers_broken_into_single_characters(lianyun):
    text = render(lianyun).replace(
        "申请人情况 自然人 法人或其他组织 总计", "申\n请\n人\n情\n况\n自\n然\n人\n法人或其他组织\n总\n计"
    )
    got, _ = read(text)
    assert_same_cells(got, lianyun)


def test_row_label_after_its_numbers(lianyun):
    got, _ = read(render(lianyun, lambda label, cells: " ".join([*cells, label])))
    assert_same_cells(got, lianyun)


def test_section3_printed_column_by_column(lianyun):
    rows = section3_rows(lianyun)
    columns = TEMPLATES["2021"].section3.rows[0].columns
    labels = "\n".join(label for label, _ in rows)
    blocks = "\n".join(
        column.label + "\n" + "\n".join(cells[j] for _, cells in rows) for j, column in enumerate(columns)
    )
    s2 = "\n".join(" ".join([label, *cells]) for label, cells in section2_rows(lianyun))
    got, _ = read(report(s2, labels + "\n" + blocks, " ".join(section4_cells(lianyun))))
    assert_same_cells(got, lianyun)


def test_block_without_column_headers_is_decided_by_the_sums(lianyun):
    rows = section3_rows(lianyun)
    labels = "\n".join(label for label, _ in rows)
    column_major = " ".join(cells[j] for j in range(7) for _, cells in rows)
    s2 = "\n".join(" ".join([label, *cells]) for label, cells in section2_rows(lianyun))
    got, _ = read(report(s2, labels + "\n" + column_major, " ".join(section4_cells(lianyun))))
    assert_same_cells(got, lianyun)


def test_2021_report_printing_other_as_one_row(lianyun):
    rows = [r for r in section3_rows(lianyun) if not r[0].startswith(("1.申请人", "2.申请人", "3.其他"))]
    other = [
        str(sum(int(lianyun.cell(f"section3.{k}.{c.key}")) for k in ("other_overdue_correction", "other_overdue_fee", "other_other")))
        for c in TEMPLATES["2021"].section3.rows[0].columns
    ]
    at = [label for label, _ in rows].index("（七）总计")
    rows.insert(at, ("（六）其他处理", other))
    s2 = "\n".join(" ".join([label, *cells]) for label, cells in section2_rows(lianyun))
    s3 = "\n".join(" ".join([label, *cells]) for label, cells in rows)
    result = read_tables(segmented(report(s2, s3, " ".join(section4_cells(lianyun)))))
    record, evidence, notes = result.record, result.evidence, result.notes
    assert result.open_choices == []  # rows the report leaves out are not for a second reader
    for key in ("other_overdue_correction", "other_overdue_fee", "other_other"):
        for column in ("natural_person", "total"):
            assert record.cell(f"section3.{key}.{column}") is None
            assert "one row" in evidence[f"section3.{key}.{column}"].note
    assert record.cell("section3.total.total") == 78
    assert record.cell("section3.rejected_confirmation.total") == 0
    assert any("one row" in n for n in notes)


def test_empty_and_dash_cells_are_null_never_zero(lianyun):
    def printer(label: str, cells: list[str]) -> str:
        if label == "（一）予以公开":
            cells = ["24", "", "—", "/", "无", "-", "26"]
        return "\t".join([label, *cells])

    got, evidence = read(render(lianyun, printer))
    assert got.cell("section3.granted.natural_person") == 24
    for column in ("commercial", "research", "social_welfare", "legal_service", "other"):
        assert got.cell(f"section3.granted.{column}") is None
    assert got.cell("section3.granted.total") == 26
    assert evidence["section3.granted.commercial"].note == "empty cell"
    assert evidence["section3.granted.research"].token == "—"


def test_run_together_digits_split_by_the_sums(lianyun):
    def printer(label: str, cells: list[str]) -> str:
        if label.startswith("一、本年新收"):
            cells = ["653", *cells[2:]]  # 65 and 3 printed with no separator
        return " ".join([label, *cells])

    got, evidence = read(render(lianyun, printer))
    assert got.cell("section3.new.natural_person") == 65
    assert got.cell("section3.new.commercial") == 3
    ev = evidence["section3.new.commercial"]
    assert ev.token == "3" and "run together" in ev.note


def test_run_together_digits_with_two_fitting_splits_stay_null(lianyun):
    # 行政复议 1 12 0 0 13 printed "112 0 0 13": 1+12 and 11+2 both make 13,
    # and no other sum involves these cells.
    lianyun.section4.review = {"upheld": 1, "corrected": 12, "other": 0, "pending": 0, "total": 13}
    cells = section4_cells(lianyun)
    printed = " ".join(["112", *cells[2:]])
    s2 = "\n".join(" ".join([label, *c]) for label, c in section2_rows(lianyun))
    s3 = "\n".join(" ".join([label, *c]) for label, c in section3_rows(lianyun))
    got, evidence = read(report(s2, s3, printed))
    assert got.cell("section4.review.upheld") is None
    assert got.cell("section4.review.corrected") is None
    assert "cannot tell" in evidence["section4.review.upheld"].note
    # Every reading agrees on the cells after the run-together digits.
    assert got.cell("section4.review.total") == 13
    assert got.cell("section4.litigation_direct.total") == 1


def test_short_row_without_empties_is_null_with_reason(lianyun):
    def printer(label: str, cells: list[str]) -> str:
        if label == "（二）部分公开":
            cells = cells[1:]  # one cell lost, no sign of where
        return " ".join([label, *cells])

    text = render(lianyun, printer)
    result = read_tables(segmented(text))
    assert result.record.cell("section3.partial.total") is None
    assert "6 values" in result.evidence["section3.partial.total"].note
    # No reading fits: nothing is offered to a second reader, which may only choose.
    assert result.open_choices == []


def test_rows_with_more_readings_than_are_weighed_stay_null_with_reason(lianyun):
    # A run of 40 digits for 7 cells has C(39, 6) cuts, 40 equal values for 7
    # cells C(39, 33) spans: neither is searched, both rows are null and say why.
    def printer(label: str, cells: list[str]) -> str:
        if label.startswith("一、本年新收"):
            cells = ["9" * 40]
        elif label == "（二）部分公开":
            cells = ["0"] * 40
        return " ".join([label, *cells])

    result = read_tables(segmented(render(lianyun, printer)))
    for path in ("section3.new.natural_person", "section3.partial.total"):
        assert result.record.cell(path) is None
        assert "more than 20000 ways to read them" in result.evidence[path].note
    assert result.record.cell("section3.carried_forward.total") == lianyun.cell("section3.carried_forward.total")


def test_page_numbers_inside_a_table_are_not_cells(lianyun):
    text = render(lianyun).replace("（二）部分公开", "- 3 -\n第4页 共9页\n（二）部分公开")
    got, _ = read(text)
    assert_same_cells(got, lianyun)


def test_labels_with_misread_characters_are_found_and_say_so(lianyun):
    # OCR misreads: 收→攻, 秘→泌, 另→男 (one in a phrase of four or five
    # characters), 举报→学设 (two in a phrase of six).
    text = render(lianyun).replace("本年新收", "本年新攻").replace("国家秘密", "国家泌密").replace("另行制作", "男行制作")
    text = text.replace("信访举报投诉", "信访学设投诉")
    got, evidence = read(text)
    assert_same_cells(got, lianyun)
    note = evidence["section3.new.total"].note
    assert note is not None and "本年新攻" in note and "一、本年新收政府信息公开申请数量" in note
    assert "国家泌密" in (evidence["section3.withheld_state_secret.other"].note or "")
    assert "信访学设投诉" in (evidence["section3.rejected_petition.total"].note or "")
    assert evidence["section3.carried_over.total"].note is None  # read as printed


def test_a_list_number_that_lost_its_full_stop_stays_with_its_label(lianyun):
    # OCR dropped the dot of "1." before 申请人…: "1" is no cell of the row above.
    text = render(lianyun, lambda label, cells: "\t".join([label, *cells]))
    text = text.replace("1.申请人无正当理由", "1申请人无正当理由")
    got, _ = read(text)
    assert_same_cells(got, lianyun)


def test_a_label_misread_beyond_one_character_in_three_is_found_by_its_place_and_says_so(lianyun):
    # "(七)总计" read as "总汁": four of its six characters wrong or lost. Its
    # line of cells still stands between 3.其他 and 四、结转下年度继续办理.
    text = render(lianyun).replace("（七）总计", "总汁")
    got, evidence = read(text)
    assert_same_cells(got, lianyun)
    assert "taken by its place" in (evidence["section3.total.total"].note or "")
    assert evidence["section3.carried_forward.total"].note is None


def test_a_lost_label_among_rows_without_their_own_lines_stays_null(lianyun):
    # One cell a line: no line of cells to place, so the row is not found.
    text = render(lianyun, lambda label, cells: "\n".join([label, *cells])).replace("（七）总计", "总汁")
    got, evidence = read(text)
    assert got.cell("section3.total.total") is None
    assert "not found" in (evidence["section3.total.total"].note or "")


def test_a_whole_label_is_found_between_its_neighbours_when_its_phrase_is_lost(lianyun):
    # OCR lost 明确 (the phrase 仍不明确 is gone) and misread 申请 in a label of
    # 13 characters; it is still the only text between rows 2 and 4 of （四）.
    text = render(lianyun).replace("3.补正后申请内容仍不明确", "3.补正后中请内容仍不")
    text = text.replace("（七）总计", "（七）总汁")
    got, evidence = read(text)
    assert_same_cells(got, lianyun)
    assert "3.补正后中请内容仍不" in (evidence["section3.unavailable_unclear.total"].note or "")
    assert "总汁" in (evidence["section3.total.total"].note or "")


def test_thousands_separators_and_full_width_digits(lianyun):
    text = render(lianyun).replace("行政许可 18858", "行政许可 １８，８５８")
    got, evidence = read(text)
    assert got.cell("section2.licensing.decisions") == 18858
    assert evidence["section2.licensing.decisions"].token == "18,858"


def test_missing_section_leaves_its_cells_null(lianyun):
    text = render(lianyun)
    start = text.index("四、政府信息公开行政复议")
    text = text[:start] + text[text.index("五、存在的主要问题") :]
    got, evidence = read(text)
    assert got.cell("section4.review.total") is None
    assert got.cell("section3.new.total") == 68
    # The validator's MISSING rule sees every section-4 cell as unread.
    assert all(evidence[f"section4.review.{c}"].note for c in ("upheld", "total"))


@pytest.mark.parametrize("name", ["haian-kjj-2019", "lianyun-gov-2024", "lanshan-kjj-2023", "lianyun-kjj-2024", "yindu-kjj-2024"])
def test_seed_tables_equal_gold(name):
    gold = Record.model_validate(json.loads((SEEDS / f"{name}.gold.json").read_text(encoding="utf-8")))
    text = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
    got, evidence = read(text)
    assert_same_cells(got, gold)
    assert all(evidence[p].token is not None for p, _ in gold.cells())


def test_cell_text_helper_prints_null_as_empty():
    assert cell_text(None) == "" and cell_text(0) == "0"


def test_row_of_only_empty_cells_stays_its_own_row(lianyun):
    def printer(label: str, cells: list[str]) -> str:
        if label == "行政处罚":
            cells = [""]
        return " | ".join([label, *cells]) + " |"

    got, evidence = read(render(lianyun, printer))
    assert got.cell("section2.penalty.decisions") is None
    assert evidence["section2.penalty.decisions"].note == "empty cell"
    assert got.cell("section2.coercion.decisions") == 102


def test_null_marker_inside_a_vertical_header_is_label_text(record_2019):
    text = render(record_2019).replace("规章", "上\n一\n年\n增\n/\n减\n规章", 1)
    got, _ = read(text)
    assert_same_cells(got, record_2019)


def _one_cell_a_line_without_repeats(record: Record) -> str:
    from gxllm.fixturegen.repeats import delete_repeats

    return delete_repeats(render(record, lambda label, cells: "\n".join([label, *cells])))


def test_deleted_repeats_are_put_back_as_the_sums_allow(lianyun):
    # 一、本年新收 "65 3 0 0 0 0 68" prints "65 3 0 68": only four zeros fit.
    got, evidence = read(_one_cell_a_line_without_repeats(lianyun))
    assert [got.cell(f"section3.new.{c}") for c in ("natural_person", "commercial", "research", "other", "total")] == [
        65, 3, 0, 0, 68
    ]
    assert "deleted" in (evidence["section3.new.other"].note or "")
    assert evidence["section3.new.natural_person"].note is None  # printed


def test_a_deleted_repeat_in_a_row_that_does_not_add_up_is_left_to_the_column_sums(lianyun):
    # The agency's own error: 287 24 2 0 0 1 = 314, total printed 315. Printed
    # without repeats as 287 24 2 0 1 315: doubling the 0 breaks the row's
    # sum, doubling the 1 breaks the 法律服务机构 column's instead. Neither
    # wins, so that one cell is null; the others agree in both readings.
    row = {"natural_person": 287, "commercial": 24, "research": 2, "social_welfare": 0, "legal_service": 0, "other": 1}
    lianyun.section3.new = {**row, "total": 315}
    carried = lianyun.section3.carried_over
    for column in ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other", "total"):
        balance = getattr(lianyun.section3.total, column) + getattr(lianyun.section3.carried_forward, column)
        setattr(carried, column, balance - (getattr(lianyun.section3.new, column)))
    carried.total = sum(getattr(carried, c) for c in row)  # the carried-over row adds up
    got, evidence = read(_one_cell_a_line_without_repeats(lianyun))
    assert [got.cell(f"section3.new.{c}") for c in (*row, "total")] == [287, 24, 2, 0, None, 1, 315]
    assert "cannot tell" in evidence["section3.new.legal_service"].note


def test_a_row_whose_repeats_the_sums_cannot_place_stays_null_with_reason(lianyun):
    # Section 2 has no sums: 规章 "0 0 5" prints "0 5", either 0 0 5 or 0 5 5.
    lianyun.section2.rules = {"issued": 0, "repealed": 0, "in_force": 5}
    got, evidence = read(_one_cell_a_line_without_repeats(lianyun))
    assert (got.cell("section2.rules.issued"), got.cell("section2.rules.in_force")) == (0, 5)
    assert got.cell("section2.rules.repealed") is None
    assert "repeats deleted" in evidence["section2.rules.repealed"].note


def test_a_page_run_into_one_line_is_cut_into_rows_and_cells_by_the_sums(lianyun):
    from gxllm.fixturegen.oneline import one_line

    def run_in(label: str, cells: list[str]) -> str:
        return f"{label} {''.join(cells)}"

    text = one_line(render(lianyun, run_in))
    assert text.count("\n") == 1 and "申请数量 653000068二、上年结转" in text and "00000002.其他法律" in text
    got, evidence = read(text)
    # 规范性文件 1 12 22 runs into 11222: section 2 has no sums to cut it by.
    doubtful = [f"section2.normative_docs.{c}" for c in ("issued", "repealed", "in_force")]
    assert [got.cell(p) for p in doubtful] == [None, None, None]
    assert "cannot tell" in evidence[doubtful[0]].note
    for path in doubtful:
        lianyun.set_cell(path, None)
    assert_same_cells(got, lianyun)
    assert "run together" in evidence["section3.new.total"].note


def test_a_table_printed_with_fewer_columns_reads_the_columns_its_header_names(record_2019):
    # 2019 section 2 printed as 信息内容 | 项目数量 | 处理决定数量: no 本年增/减.
    s2 = "\n".join(
        [
            "第二十条第（五）项",
            "信息内容 项目数量 处理决定数量",
            "行政许可 12 1885",
            "其他对外管理服务事项 7 8",
        ]
    )
    s3 = "\n".join(" ".join([label, *c]) for label, c in section3_rows(record_2019))
    got, evidence = read(report(s2, s3, " ".join(section4_cells(record_2019)), year=2019))
    assert [got.cell(f"section2.licensing.{c}") for c in ("prev_items", "change", "decisions")] == [12, None, 1885]
    assert "not printed" in evidence["section2.licensing.change"].note
    assert got.cell("section2.other_services.decisions") == 8


def test_the_proses_numbers_choose_among_readings_the_sums_leave_open():
    # 莆田水利局 2024 prints section 4 as "0 1 0 1 0": seven tables keep every
    # sum. Its prose, reworded to speak of disclosure, says there was one review.
    from tests.conftest import FIXTURES

    text = (FIXTURES / "real" / "putian-slj-2024.txt").read_text(encoding="utf-8")
    as_printed, _ = read(text)
    assert as_printed.cell("section4.review.total") is None
    told, evidence = read(text.replace("引起的行政复议", "引起的政府信息公开行政复议"))
    assert (told.cell("section4.review.upheld"), told.cell("section4.review.total")) == (0, 1)
    assert "行政复议1条" in evidence["section4.review.total"].note
    # 纠正, 其他结果 or 尚未审结 (and a lawsuit with it): the prose does not say, so those stay null.
    assert told.cell("section4.review.corrected") is None and told.cell("section4.review.pending") is None
