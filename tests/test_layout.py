"""Rows, columns and lines rebuilt from hand-made boxes and rules."""

from __future__ import annotations

from gxllm.layout.boxes import Rule, Word
from gxllm.layout.digits import repair_numeric_cell
from gxllm.layout.grids import find_grids
from gxllm.layout.lines import TextLine, group_lines, join_words
from gxllm.layout.page import PageLayout, layout_page
from gxllm.layout.plumber import ruled_tables
from gxllm.layout.rows import document_rows, to_line


def h(y: float, x0: float, x1: float) -> Rule:
    return Rule((x0, y, x1, y))


def v(x: float, top: float, bottom: float) -> Rule:
    return Rule((x, top, x, bottom))


def word(text: str, x0: float, top: float, width: float | None = None, confidence: float | None = None) -> Word:
    return Word(text, (x0, top, x0 + (width if width is not None else 10 * len(text)), top + 10), confidence)


# A 3-column, 3-row table whose header cell spans the two value columns:
#   +--------+---------------+
#   | 信息   | 数量           |
#   |        +-------+-------+
#   |        | 本年  | 上年  |
#   +--------+-------+-------+
#   | 规章   |  5    |       |
#   +--------+-------+-------+
TABLE_RULES = [
    h(0, 0, 300), h(20, 100, 300), h(40, 0, 300), h(60, 0, 300),
    v(0, 0, 60), v(100, 0, 60), v(200, 20, 60), v(300, 0, 60),
]
TABLE_WORDS = [
    word("信息", 10, 5),
    word("数量", 150, 5),
    word("本年", 110, 25),
    word("上年", 210, 25),
    word("规章", 10, 45),
    word("5", 150, 45),
]


def test_grid_cells_keep_their_spans() -> None:
    (grid,) = find_grids(TABLE_RULES)
    assert grid.xs == [0, 100, 200, 300]
    assert grid.ys == [0, 20, 40, 60]
    spans = sorted((c.row, c.col, c.rowspan, c.colspan) for c in grid.cells)
    assert spans == [(0, 0, 2, 1), (0, 1, 1, 2), (1, 1, 1, 1), (1, 2, 1, 1), (2, 0, 1, 1), (2, 1, 1, 1), (2, 2, 1, 1)]


def test_table_rows_put_merged_text_first_and_keep_empty_cells() -> None:
    layout = layout_page(1, 800, TABLE_WORDS, TABLE_RULES)
    lines = [to_line(row) for row in document_rows([layout])]
    assert [line.text for line in lines] == ["信息\t数量", "本年\t上年", "规章\t5\t"]
    assert lines[2].cell_boxes == [(0, 40, 100, 60), (100, 40, 200, 60), (200, 40, 300, 60)]
    assert lines[2].confidence is None  # a text layer has no doubt


def test_pdfplumbers_cell_finder_snaps_a_doubled_rule_and_closes_a_broken_one() -> None:
    # Two rows of two cells; the middle rule is drawn twice, 1 pt apart (a
    # thick line in a scan), and the bottom one is broken by a 2 pt gap.
    rules = [h(0, 0, 200), h(20, 0, 200), h(21, 0, 200), h(40, 0, 99), h(40, 101, 200)]
    rules += [v(0, 0, 40), v(100, 0, 40), v(200, 0, 40)]
    assert ruled_tables(rules, 3.0) == [
        [(0.0, 0.0, 100.0, 20.5), (0.0, 20.5, 100.0, 40.0), (100.0, 0.0, 200.0, 20.5), (100.0, 20.5, 200.0, 40.0)]
    ]
    assert ruled_tables(TABLE_RULES, 3.0) == [
        [(0, 0, 100, 40), (0, 40, 100, 60), (100, 0, 300, 20), (100, 20, 200, 40), (100, 40, 200, 60), (200, 20, 300, 40), (200, 40, 300, 60)]
    ]
    assert ruled_tables([], 3.0) == []


def test_a_frame_around_a_paragraph_is_not_a_table() -> None:
    assert find_grids([h(0, 0, 300), h(25, 0, 300), h(50, 0, 300), v(0, 0, 50), v(300, 0, 50)]) == []


def test_lines_group_by_vertical_position_and_gaps_become_spaces_or_tabs() -> None:
    words = [word("本年", 0, 100), word("新收", 20, 101), word("65", 200, 99), word("Page", 0, 130), word("3", 45, 130)]
    lines = group_lines(words)
    assert [[w.text for w in line] for line in lines] == [["本年", "新收", "65"], ["Page", "3"]]
    assert join_words(lines[0], columns=True) == "本年新收\t65"
    assert join_words(lines[1], columns=True) == "Page 3"


def test_unruled_table_joins_wrapped_labels_to_their_values() -> None:
    # Values centred on a label wrapped over three lines; a one-line row below.
    words = [
        word("1.申请人无正当理由", 0, 100),
        word("逾期不补正", 0, 112),
        word("3", 300, 112), word("0", 350, 112), word("3", 400, 112),
        word("申请", 0, 124),
        word("2.重复申请", 0, 140),
        word("1", 300, 140), word("0", 350, 140), word("1", 400, 140),
    ]
    lines = [to_line(row) for row in document_rows([layout_page(1, 800, words, [])])]
    assert [line.text for line in lines] == ["1.申请人无正当理由逾期不补正申请\t3\t0\t3", "2.重复申请\t1\t0\t1"]


def ocr_word(text: str, x0: float, top: float, x1: float, bottom: float) -> Word:
    return Word(text, (x0, top, x1, bottom), 0.99)


def test_ocr_boxes_of_wrapped_labels_in_neighbouring_columns_do_not_chain_rows() -> None:
    # OCR boxes (as read from a scanned unruled table, in points) are taller
    # than the glyphs: the group label 无法提供 wraps beside the row labels,
    # and each piece overlaps the rows above and below it.
    words = [
        ocr_word("(四)", 119.6, 320.5, 142.0, 332.8),
        ocr_word("2.没有现成信息需要", 155.9, 325.7, 240.2, 338.7),
        ocr_word("2", 266.6, 332.2, 277.2, 344.5),
        ocr_word("无法提", 115.0, 330.9, 146.6, 344.5),
        ocr_word("另行制作", 156.5, 337.4, 196.7, 350.4),
        ocr_word("供", 113.0, 339.3, 130.2, 356.9),
        ocr_word("3.补正后申请内容仍", 156.5, 354.3, 240.2, 367.3),
        ocr_word("1", 267.9, 361.5, 275.8, 371.9),
        ocr_word("不明确", 155.9, 365.4, 187.5, 379.0),
    ]
    lines = group_lines(words)
    assert not any({"2", "1"} <= {w.text for w in line} for line in lines)
    rows = [to_line(row).text for row in document_rows([layout_page(3, 842, words, [])])]
    assert rows == ["(四)无法提供\t2.没有现成信息需要另行制作\t2", "3.补正后申请内容仍不明确\t1"]


def test_a_heading_below_an_unruled_table_is_not_taken_for_a_wrapped_label() -> None:
    words = [
        ocr_word("信息内容", 74.2, 333.6, 115.2, 349.2),
        ocr_word("本年收费金额（单位：万元）", 313.5, 335.5, 427.3, 346.6),
        ocr_word("2.29", 404.1, 351.9, 428.6, 366.2),
        ocr_word("行政事业性收费", 74.8, 352.5, 141.6, 365.6),
        ocr_word("三、收到和处理政府信息公开申请情况", 74.8, 373.4, 281.8, 388.5),
    ]
    rows = [to_line(row).text for row in document_rows([layout_page(2, 842, words, [])])]
    assert rows[-1] == "三、收到和处理政府信息公开申请情况"


def test_page_numbers_in_the_margins_are_dropped_even_as_a_faded_scan_reads_them() -> None:
    body = ocr_word("正文", 74, 400, 120, 412)
    for number in ("- 4 -", ".4-", "-3.", "第4页", "4/12"):
        layout = layout_page(4, 842, [ocr_word(number, 280, 815, 310, 827), body], [])
        assert [b.text for b in layout.blocks if isinstance(b, TextLine)] == ["正文"], number
    # The same number in the body is text, not furniture.
    layout = layout_page(4, 842, [ocr_word(".4-", 280, 430, 310, 442), body], [])
    assert [b.text for b in layout.blocks if isinstance(b, TextLine)] == ["正文", ".4-"]


def test_table_continued_on_next_page_rejoins_a_row_split_by_the_break() -> None:
    rules = [h(700, 0, 300), h(760, 0, 300), v(0, 700, 760), v(100, 700, 760), v(200, 700, 760), v(300, 700, 760)]
    page1 = layout_page(
        1, 800, [word("1.申请人无正当理由", 5, 705, 90), word("- 1 -", 140, 785)], rules
    )
    rules2 = [h(40, 0, 300), h(70, 0, 300), h(90, 0, 300), v(0, 40, 90), v(100, 40, 90), v(200, 40, 90), v(300, 40, 90)]
    page2 = layout_page(
        2, 800,
        [word("逾期不补正", 5, 45), word("2", 140, 50), word("7", 240, 50), word("2.重复申请", 5, 75), word("1", 140, 75)],
        rules2,
    )
    assert isinstance(page1, PageLayout)
    lines = [to_line(row) for row in document_rows([page1, page2])]
    assert [line.text for line in lines] == ["1.申请人无正当理由逾期不补正\t2\t7", "2.重复申请\t1\t"]
    assert lines[0].page == 2  # the values, the evidence that matters, are on page 2


def test_ocr_digit_look_alikes_are_read_as_digits_in_count_columns_only() -> None:
    rules = [h(0, 0, 300), h(20, 0, 300), h(40, 0, 300), h(60, 0, 300)] + [v(x, 0, 60) for x in (0, 100, 200, 300)]
    words = [
        word("自然人", 5, 5, confidence=0.99), word("其他", 105, 5, confidence=0.99),
        word("Ol", 5, 25, confidence=0.99), word("O", 105, 25, confidence=0.7),
        word("12", 5, 45, confidence=0.99), word("6", 105, 45, confidence=0.6),
    ]
    # Column 0 is a label column in spirit, but holds numbers: "Ol" is a count.
    lines = [to_line(row) for row in document_rows([layout_page(1, 800, words, rules)])]
    assert [line.text for line in lines] == ["自然人\t其他\t", "01\t0\t", "12\t6\t"]
    assert lines[1].cell_confidences == [0.99, 0.7, None]
    assert lines[2].confidence == 0.6


def test_repair_numeric_cell() -> None:
    assert repair_numeric_cell("O") == "0"
    assert repair_numeric_cell("1O5") == "105"
    assert repair_numeric_cell("l2") == "12"
    assert repair_numeric_cell("1,2O0") == "1,200"
    assert repair_numeric_cell("—") == "—"
    assert repair_numeric_cell("69") == "69"  # 6/9 swaps are not character-level
    assert repair_numeric_cell("其他") == "其他"
