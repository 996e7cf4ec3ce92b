"""Each figure of docs/record.md §4 on tiny hand-made gold/prediction pairs, answers worked out by hand."""

from __future__ import annotations

import pytest

from gxllm.evaluate.metrics import (
    ItemScore,
    catching_flags,
    cells_by_section,
    compare_cells,
    compare_fields,
    false_alarms,
    match_items,
    normalise_item,
    same_agency,
    score_items,
    score_themes,
)
from gxllm.record import Flag, Record

# Cell counts per template, from docs/record.md §2:
# 2021: section2 3+3+1+1+1+1 = 10; section3 25 rows x 7 = 175; section4 3 x 5 = 15; all 200.
# 2019: section2 3+3+3+3+3+3+2+2 = 22; section3 23 rows x 7 = 161; section4 15; all 198.


def _gold() -> Record:
    gold = Record.empty("2021", agency="连云区科学技术局", year=2024)
    gold.set_cell("section3.new.natural_person", 3)
    gold.set_cell("section3.new.total", 3)
    gold.set_cell("section4.review.total", 0)
    return gold


def _flag(rule: str, cells: list[str], severity: str = "error", kind: str = "source") -> Flag:
    return Flag(rule=rule, severity=severity, kind=kind, cells=cells, message="m")  # type: ignore[arg-type]


# ---------------------------------------------------------------- cells


def test_cell_accuracy_counts_every_cell_and_null_as_a_value():
    gold = _gold()
    predicted = gold.model_copy(deep=True)
    predicted.set_cell("section3.new.total", 4)  # wrong value
    predicted.set_cell("section4.review.total", None)  # gold 0, predicted null: wrong
    predicted.set_cell("section2.rules.issued", None)  # null in both: right
    results = compare_cells(gold, predicted)
    # 200 cells, 2 wrong -> 198 right.
    assert len(results) == 200
    assert sum(r.correct for r in results) == 198
    wrong = {r.path: (r.gold, r.predicted) for r in results if not r.correct}
    assert wrong == {"section3.new.total": (3, 4), "section4.review.total": (0, None)}
    sections = cells_by_section(results)
    # section2 10/10; section3 174/175; section4 14/15.
    assert (sections["section2"].correct, sections["section2"].total) == (10, 10)
    assert (sections["section3"].correct, sections["section3"].total) == (174, 175)
    assert sections["section4"].share == pytest.approx(14 / 15)


def test_cells_of_the_wrong_template_are_wrong_whatever_their_value():
    gold = Record.empty("2021")
    predicted = Record.empty("2019")
    results = compare_cells(gold, predicted)
    # Shared paths: section3 22 common rows x 7 = 154, section4 15, section2 licensing/penalty/coercion
    # .decisions = 3 -> 172, all null in both (right). Union = 200 + 198 - 172 = 226.
    assert len(results) == 226
    assert sum(r.correct for r in results) == 172
    notes = {r.path: r.note for r in results if not r.correct}
    assert notes["section3.other_other.total"] == "not in the predicted template"
    assert notes["section3.other.total"] == "not in the gold template"
    assert notes["section2.procurement.amount"] == "not in the gold template"


def test_a_missing_section_reads_as_null():
    gold = _gold()
    predicted = gold.model_copy(update={"section4": None}, deep=True)
    results = {r.path: r for r in compare_cells(gold, predicted)}
    # Gold section4 is null except review.total = 0: only that cell is wrong.
    assert [p for p, r in results.items() if not r.correct] == ["section4.review.total"]


def test_a_crashed_case_has_every_gold_cell_wrong():
    results = compare_cells(_gold(), None)
    assert len(results) == 200
    assert not any(r.correct for r in results)
    assert {r.note for r in results} == {"no prediction: the case crashed"}


# ---------------------------------------------------------------- fields


def test_agency_matches_when_one_contains_the_other_after_whitespace_removal():
    assert same_agency("连云区科学技术局", "江苏省连云港市连云区 科学技术局")
    assert same_agency("连云区人民政府办公室", "连云区人民政府")
    assert not same_agency("连云区科学技术局", "连云区科技局")  # abbreviations are not guessed
    assert same_agency(None, None)
    assert not same_agency("连云区科学技术局", None)
    assert not same_agency("连云区科学技术局", " ")


def test_field_accuracy_of_agency_year_template_and_fee():
    gold = _gold()
    gold.fee.charged = False
    predicted = gold.model_copy(deep=True)
    predicted.agency = "连云港市连云区科学技术局"  # contains gold: right
    predicted.year = 2023  # wrong
    predicted.fee.charged = None  # said nothing where gold says false: wrong
    fields = compare_fields(gold, predicted)
    assert {name: f.correct for name, f in fields.items()} == {
        "agency": True,
        "year": False,
        "template": True,
        "fee.charged": False,
    }
    assert (fields["year"].gold, fields["year"].predicted) == (2024, 2023)
    assert not any(f.correct for f in compare_fields(gold, None).values())


# ---------------------------------------------------------------- narrative


def test_items_lose_whitespace_punctuation_and_list_markers():
    assert normalise_item("一是加强培训。") == "加强培训"
    assert normalise_item("（二）完善制度，") == "完善制度"
    assert normalise_item("1.提高水平") == "提高水平"
    assert normalise_item("(3) 提 高\n水平；") == "提高水平"


def test_narrative_precision_recall_f1():
    gold = ["加强培训力度", "完善制度建设", "提高业务水平"]
    predicted = ["一是加强培训力度。", "完善制度", "无关内容"]
    # 加强培训力度 = 加强培训力度 -> 1.0; 完善制度建设 vs 完善制度: 2*4/(6+4) = 0.8 >= 0.6;
    # 提高业务水平 vs 无关内容: nothing in common -> 0. Two matches of 3 and 3:
    # P = R = 2/3, F1 = 2/3.
    score = score_items(gold, predicted)
    assert (score.matched, score.gold, score.predicted) == (2, 3, 3)
    assert score.precision == pytest.approx(2 / 3)
    assert score.recall == pytest.approx(2 / 3)
    assert score.f1 == pytest.approx(2 / 3)


def test_matching_is_greedy_from_the_most_similar_pair():
    # 加强培训 vs 加强培训力度: 2*4/(4+6) = 0.8; 加强培训力度 vs itself: 1.0.
    # Greedy takes the 1.0 pair first, so the first gold item stays unmatched
    # (matching in list order would have given the prediction to it).
    assert match_items(["加强培训", "加强培训力度"], ["加强培训力度"]) == [(1, 0, 1.0)]


def test_a_pair_matches_at_similarity_0_6_and_not_below():
    # 3 common characters of 5 + 5: 2*3/10 = 0.6 -> match; 2 common: 2*2/10 = 0.4 -> none.
    assert match_items(["甲乙丙丁戊"], ["甲乙丙己庚"]) == [(0, 0, pytest.approx(0.6))]
    assert match_items(["甲乙丙丁戊"], ["甲乙己庚辛"]) == []


def test_narrative_scores_are_micro_averaged_over_items():
    case_a = score_items(["加强培训"], ["加强培训"])  # 1 of 1, 1 of 1
    case_b = score_items(["甲", "乙", "丙"], ["丁"])  # 0 matched, 3 gold, 1 predicted
    total = case_a + case_b
    # matched 1, gold 4, predicted 2: P = 1/2, R = 1/4, F1 = 2*(1/2)(1/4)/(3/4) = 1/3.
    # (Averaging the cases instead would give P = (1 + 0)/2 = 1/2, R = (1 + 0)/2 = 1/2.)
    assert (total.matched, total.gold, total.predicted) == (1, 4, 2)
    assert total.precision == pytest.approx(1 / 2)
    assert total.recall == pytest.approx(1 / 4)
    assert total.f1 == pytest.approx(1 / 3)


def test_empty_lists_score_one_only_when_both_are_empty():
    assert (ItemScore().precision, ItemScore().recall, ItemScore().f1) == (1.0, 1.0, 1.0)
    missed = score_items(["甲", "乙"], [])
    assert (missed.precision, missed.recall, missed.f1) == (0.0, 0.0, 0.0)
    invented = score_items([], ["甲"])
    assert (invented.precision, invented.recall, invented.f1) == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------- flags


def test_false_alarms_are_alarms_neither_gold_nor_a_wrong_cell_explains():
    gold = _gold()
    predicted = gold.model_copy(deep=True)
    predicted.set_cell("section4.review.total", 7)  # an extraction error
    gold_flags = [_flag("S3_BALANCE", ["section3.new.total", "section3.total.total"])]
    flags = [
        # the document's own error, also raised on gold (shares a cell): justified
        _flag("S3_BALANCE", ["section3.new.total", "section3.carried_over.total"]),
        # names a cell the prediction got wrong: a true catch
        _flag("S4_TOTAL", ["section4.review.total", "section4.review.upheld"], kind="extraction"),
        # cells right, gold raises no S3_ROW_TOTAL: false alarm
        _flag("S3_ROW_TOTAL", ["section3.granted.total", "section3.granted.natural_person"]),
        # info flags are notes, not alarms
        _flag("S3_ROW_TOTAL", ["section3.partial.total"], severity="info"),
        # no cells, gold raises no such rule: false alarm
        _flag("FEE_STATEMENT", [], severity="warning"),
    ]
    alarms = false_alarms(flags, gold_flags, gold, predicted)
    assert [(f.rule, f.cells) for f in alarms] == [
        ("S3_ROW_TOTAL", ["section3.granted.total", "section3.granted.natural_person"]),
        ("FEE_STATEMENT", []),
    ]


def test_a_change_is_caught_only_by_a_new_alarm_that_names_the_cell():
    a, b, c = "section3.new.total", "section3.total.total", "section3.new.other"
    baseline = [_flag("S3_BALANCE", [a, b])]
    after_change = [
        _flag("S3_BALANCE", [b, a]),  # already raised on the unchanged gold
        _flag("S3_ROW_TOTAL", [a, c], kind="extraction"),
        _flag("GROUNDING", [a], severity="info"),
    ]
    assert [f.rule for f in catching_flags(a, after_change, baseline)] == ["S3_ROW_TOTAL"]
    assert catching_flags(b, after_change, baseline) == []


def test_themes_are_scored_on_matched_items_main_theme_and_set():
    gold = ["加强培训力度", "完善制度建设", "提高业务水平"]
    gold_themes = [["队伍与培训"], ["制度机制与考核", "队伍与培训"], ["队伍与培训", "制度机制与考核"]]
    predicted = ["完善制度建设", "加强培训力度"]  # the third gold item is not matched: not scored
    predicted_themes = [["队伍与培训", "制度机制与考核"], ["队伍与培训", "平台与政务新媒体"]]
    score = score_themes(gold, gold_themes, predicted, predicted_themes)
    # 加强培训力度: main the same, both mains among the other's, sets differ.
    # 完善制度建设: mains differ but each is among the other's themes; the same set.
    assert (score.items, score.agreed, score.main_right, score.same_set) == (2, 2, 1, 1)
    assert (score.labels_right, score.labels_gold, score.labels_predicted) == (3, 3, 4)
    assert (score.accuracy, score.main_accuracy, score.set_accuracy) == (1.0, 0.5, 0.5)
    assert score.label_precision == pytest.approx(3 / 4) and score.label_recall == 1.0


def test_a_predicted_main_theme_the_gold_does_not_name_is_not_agreed():
    score = score_themes(["政策解读形式单一"], [["政策解读"]], ["政策解读形式单一"], [["主动公开深度与广度", "政策解读"]])
    assert (score.agreed, score.main_right) == (0, 0)
