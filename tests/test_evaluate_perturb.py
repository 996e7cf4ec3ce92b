"""Deliberate errors: reproducible, one cell each, and the kinds docs/record.md §4 names."""

from __future__ import annotations

from gxllm.evaluate.perturb import CHANGE_KINDS, apply_change, plan_changes
from gxllm.record import Record


def _one_cell_gold() -> Record:
    gold = Record.empty("2021")
    gold.set_cell("section3.new.natural_person", 123)
    return gold


def _gold() -> Record:
    gold = Record.empty("2021")
    for i, (path, _) in enumerate(gold.cells()):
        if gold.spec.column(path).kind != "money":
            gold.set_cell(path, (i * 37) % 250)
    return gold


def test_changes_are_reproducible_for_a_seed_and_case():
    gold = _gold()
    first = plan_changes(gold, 12, seed=7, case="a.txt")
    assert first == plan_changes(gold, 12, seed=7, case="a.txt")
    assert len(first) == 12
    assert first != plan_changes(gold, 12, seed=8, case="a.txt")
    assert first != plan_changes(gold, 12, seed=7, case="b.txt")


def test_each_change_alters_exactly_its_one_cell():
    gold = _gold()
    for change in plan_changes(gold, 40, seed=1, case="a.txt"):
        changed = dict(apply_change(gold, change).cells())
        different = [path for path, value in gold.cells() if changed[path] != value]
        assert different == [change.path]
        assert changed[change.path] == change.changed
        assert gold.cell(change.path) == change.original


def test_every_kind_with_its_hand_worked_values():
    # One non-null cell, 123, every other cell null. What each kind can do to it:
    #   plus_minus_one: 122, 124        swap_digits: 213 (1<->2), 132 (2<->3)
    #   drop_digit: 23, 13, 12          set_null: None
    #   move_to_neighbour: 123 lands in the next cell of the row, commercial (null before)
    # Each kind has one cell to change, so asking for 100 gives exactly 5 changes.
    changes = {c.kind: c for c in plan_changes(_one_cell_gold(), 100, seed=0, case="x")}
    assert set(changes) == set(CHANGE_KINDS)
    assert changes["plus_minus_one"].changed in (122, 124)
    assert changes["swap_digits"].changed in (213, 132)
    assert changes["drop_digit"].changed in (23, 13, 12)
    assert changes["set_null"].changed is None
    move = changes["move_to_neighbour"]
    assert (move.moved_from, move.path, move.original, move.changed) == (
        "section3.new.natural_person",
        "section3.new.commercial",
        None,
        123,
    )
    assert {c.path for k, c in changes.items() if k != "move_to_neighbour"} == {"section3.new.natural_person"}


def test_a_count_of_zero_is_never_made_negative_nor_given_digit_edits():
    gold = Record.empty("2021")
    gold.set_cell("section4.review.total", 0)
    # 0 has one digit: no swap or drop; -1 is not a count, so only +1; set to null; moved
    # into section4.review.pending (the previous cell: total is the row's last).
    changes = {c.kind: c for c in plan_changes(gold, 100, seed=3, case="x")}
    assert set(changes) == {"plus_minus_one", "set_null", "move_to_neighbour"}
    assert changes["plus_minus_one"].changed == 1
    assert changes["move_to_neighbour"].path == "section4.review.pending"


def test_signed_cells_may_go_negative_and_keep_their_sign():
    gold = Record.empty("2019")
    gold.set_cell("section2.licensing.change", -12)
    changes = plan_changes(gold, 100, seed=0, case="x")
    by_kind = {c.kind: c.changed for c in changes if c.path == "section2.licensing.change"}
    # -12: ±1 -> -13 or -11; swap -> -21; drop -> -2 or -1.
    assert by_kind["plus_minus_one"] in (-13, -11)
    assert by_kind["swap_digits"] == -21
    assert by_kind["drop_digit"] in (-2, -1)


def test_money_cells_are_left_alone():
    gold = Record.empty("2021")
    gold.set_cell("section2.fees.amount_wan_yuan", 1.5)
    assert plan_changes(gold, 10, seed=0, case="x") == []
