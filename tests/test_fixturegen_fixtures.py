"""The committed fixture tree: golds, layouts, encodings, HTML, bad inputs, regeneration."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import opencc
import pytest
from bs4 import BeautifulSoup
from charset_normalizer import from_bytes

from gxllm.fixturegen.generate import DEFAULT_SEED, ENCODINGS, RANDOM_2019, REAL_NUMBERS, generate
from gxllm.fixturegen.grid import table_rows
from gxllm.fixturegen.runtogether import failing, readings
from gxllm.fixturegen.seeds import split_seed
from gxllm.fixturegen.text_layouts import LAYOUTS
from gxllm.lexicon import NULL_MARKS
from gxllm.record import Record
from gxllm.template import TEMPLATES, template_for_year

FIXTURES = Path(__file__).parents[1] / "fixtures"
GOLDS = sorted(p for p in FIXTURES.rglob("*.gold.json") if "bad" not in p.relative_to(FIXTURES).parts)
LAYOUT_GOLDS = sorted((FIXTURES / "layouts").glob("*.gold.json"))
NUMBER_FIELDS = ("agency", "year", "template", "problems", "remedies", "fee")
APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other", "total"]
_T2S = opencc.OpenCC("t2s")


def _stem(gold: Path) -> str:
    return gold.name.removesuffix(".gold.json")


def _source(gold: Path) -> Path:
    found = [p for p in gold.parent.glob(f"{_stem(gold)}.*") if not p.name.endswith(".gold.json")]
    assert len(found) == 1, f"{gold.name}: sources {found}"
    return found[0]


def _gold(path: Path) -> Record:
    return Record.model_validate(json.loads(path.read_text(encoding="utf-8")))


def _layout(gold: Path) -> str:
    return _stem(gold).split(".")[1]


def _variants(layout: str) -> list[Path]:
    found = [g for g in LAYOUT_GOLDS if _layout(g) == layout]
    assert found, layout
    return found


def _tables(gold: Path) -> dict[str, str]:
    text = _source(gold).read_text(encoding="utf-8")
    if _layout(gold) == "traditional":
        text = _T2S.convert(text)
    if _layout(gold) == "fullwidth":
        text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return split_seed(text).tables


def _null_paths(record: Record) -> list[str]:
    return [path for path, value in record.cells() if value is None]


# ---------------------------------------------------------------- golds


def test_the_tree_holds_every_kind_of_case() -> None:
    assert len(list((FIXTURES / "seeds").glob("*.gold.json"))) == 5
    assert len(LAYOUT_GOLDS) >= 3 * len(LAYOUTS) - 2
    assert {p.parent.name for p in GOLDS} == {"seeds", "layouts", "encodings", "html", "markdown", "pdf", "pdftotext", "scans", "real"}
    # The seven scans (200-dpi pages, every table layout clean and degraded)
    # are 10 MB of it; the bound keeps the tree from growing unnoticed.
    assert sum(f.stat().st_size for f in FIXTURES.rglob("*") if f.is_file()) < 14_000_000


@pytest.mark.parametrize("gold", GOLDS, ids=lambda p: f"{p.parent.name}/{_stem(p)}")
def test_every_gold_is_a_record_in_the_record_shape_with_its_source_beside_it(gold: Path) -> None:
    data = json.loads(gold.read_text(encoding="utf-8"))
    record = Record.model_validate(data)
    assert record.to_json() == data  # nothing dropped, nothing added
    assert record.template == template_for_year(record.year)
    assert {s: set(data[s]) for s in ("section2", "section3", "section4")} == {
        t.section: set(t.row_keys) for t in TEMPLATES[record.template].tables
    }
    assert _source(gold).stat().st_size > 0


def test_every_source_has_its_gold() -> None:
    for folder in ("seeds", "layouts", "encodings", "html", "markdown", "pdf", "pdftotext", "scans"):
        for path in (FIXTURES / folder).iterdir():
            if not path.name.endswith(".gold.json") and path.name != "README.md":
                stem = path.name.rsplit(".", 1)[0]
                assert (path.parent / f"{stem}.gold.json").exists(), path


@pytest.mark.parametrize("gold", LAYOUT_GOLDS, ids=_stem)
def test_layout_gold_is_its_seed_gold_changed_only_as_the_layout_implies(gold: Path) -> None:
    variant = _gold(gold)
    seed = _gold(FIXTURES / "seeds" / f"{_stem(gold).split('.')[0]}.gold.json")
    assert {f: getattr(variant, f) for f in NUMBER_FIELDS} == {f: getattr(seed, f) for f in NUMBER_FIELDS}
    nulls = _null_paths(variant)
    layout = _layout(gold)
    if layout == "one-other-row":
        assert nulls == [p for p, _ in variant.cells() if p.startswith("section3.other_")] and len(nulls) == 21
    elif layout in ("pipe-empty", "tab-empty", "dashes"):
        assert 1 <= len(nulls) <= 8
    elif layout == "repeats-deleted":
        # null only where putting the deleted repeats back is left open by the sums
        lines = _source(gold).read_text(encoding="utf-8").split("\n")
        assert all(a != b for a, b in pairwise(lines))
        assert len(nulls) < 30
    elif layout == "fewer-columns":
        left_out = {"2019": "change", "2021": "repealed"}[variant.template]
        assert nulls and all(p.startswith("section2.") and p.endswith(f".{left_out}") for p in nulls)
    elif layout == "one-line":
        # null only where the sums leave open how run-together digits split
        assert _source(gold).read_text(encoding="utf-8").count("\n") == 1
        assert len(nulls) < 30
    else:
        assert nulls == []
    if _stem(gold).endswith(".random"):
        assert failing(TEMPLATES[variant.template], {p: v for p, v in variant.cells() if v is not None}) == []
        assert any(value for path, value in variant.cells() if path.startswith("section3."))
    else:
        changed = [path for path, value in variant.cells() if value != seed.cell(path)]
        assert changed == nulls
        if layout not in ("one-other-row", "repeats-deleted", "one-line", "fewer-columns"):
            assert all(seed.cell(path) == 0 for path in nulls)  # only zeros are printed blank


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layout_is_printed_with_real_and_with_random_numbers(layout: str) -> None:
    stems = {_stem(g) for g in _variants(layout)}
    assert f"{REAL_NUMBERS}.{layout}" in stems
    assert any(stem.endswith(".random") and not stem.startswith(RANDOM_2019) for stem in stems)
    if layout != "one-other-row":
        assert f"{RANDOM_2019}.{layout}.random" in stems  # the 2019 template too


# ---------------------------------------------------------------- layouts


def _numbers_line(line: str) -> list[str]:
    return re.findall(r"(?<![\d.])\d[\d,.]*", line)


@pytest.mark.parametrize("gold", _variants("cells"), ids=_stem)
def test_cells_print_one_cell_per_line(gold: Path) -> None:
    lines = _tables(gold)["section3"].split("\n")
    assert not any(re.search(r"\d\s+\d", line) for line in lines)
    assert lines[1::2] == [""] * len(lines[1::2])  # a blank line between cells


@pytest.mark.parametrize("layout", ["tab", "tab-empty"])
def test_tab_rows_are_the_expanded_template_grid(layout: str) -> None:
    for gold in _variants(layout):
        record, tables = _gold(gold), _tables(gold)
        for section, text in tables.items():
            assert [line.split("\t") for line in text.split("\n")] == table_rows(record, section)  # type: ignore[arg-type]


@pytest.mark.parametrize("gold", _variants("pipe") + _variants("pipe-empty"), ids=_stem)
def test_pipe_rows_close_each_cell_and_leave_null_cells_empty(gold: Path) -> None:
    text = "\n".join(_tables(gold).values())
    assert all(line.endswith(" |") for line in text.split("\n"))
    empty = sum(line.removesuffix(" |").split(" | ").count("") for line in text.split("\n"))
    assert empty == len(_null_paths(_gold(gold)))


@pytest.mark.parametrize("gold", _variants("dashes"), ids=_stem)
def test_dashes_print_each_null_as_a_mark(gold: Path) -> None:
    tokens = " ".join(_tables(gold).values()).split()
    marks = [t for t in tokens if t in NULL_MARKS]
    assert len(marks) == len(_null_paths(_gold(gold)))
    if len(marks) >= len(NULL_MARKS):
        assert set(marks) == set(NULL_MARKS)


@pytest.mark.parametrize("gold", _variants("vertical-headers"), ids=_stem)
def test_vertical_headers_stand_one_character_a_line(gold: Path) -> None:
    tables = _tables(gold)
    assert "自\n然\n人" in tables["section3"] and "总\n计" in tables["section3"]
    assert "三\n、\n本\n年\n度\n办\n理\n结\n果" in tables["section3"]
    assert "结\n果\n维\n持" in tables["section4"]


@pytest.mark.parametrize("gold", _variants("label-after"), ids=_stem)
def test_label_after_prints_numbers_then_the_label(gold: Path) -> None:
    record, text = _gold(gold), _tables(gold)["section3"]
    for row in TEMPLATES[record.template].section3.rows:
        numbers = " ".join(str(record.cell(f"section3.{row.key}.{c}")) for c in APPLICANTS)
        assert re.search(rf"^{numbers} (\S+ )*{re.escape(row.label)}$", text, re.MULTILINE), row.label


@pytest.mark.parametrize("gold", _variants("columns"), ids=_stem)
def test_columns_print_each_header_then_its_values_for_every_row(gold: Path) -> None:
    record, lines = _gold(gold), _tables(gold)["section3"].split("\n")
    keys = TEMPLATES[record.template].section3.row_keys
    start = lines.index("自然人") + 1
    assert lines[start : start + len(keys)] == [str(record.cell(f"section3.{k}.natural_person")) for k in keys]
    labels = [row.label for row in TEMPLATES[record.template].section3.rows]
    assert [line for line in lines[: lines.index("申请人情况")] if line in labels] == labels


def test_broken_labels_split_labels_and_sometimes_put_numbers_inside_them() -> None:
    interleaved = 0
    for gold in _variants("broken-labels"):
        record, text = _gold(gold), _tables(gold)["section3"]
        labels = [row.label for row in TEMPLATES[record.template].section3.rows]
        lines = text.split("\n")
        whole = [label for label in labels if any(label in line for line in lines)]
        assert len(whole) < len(labels) - 5, "few labels were broken"
        joined = re.sub(r"[\d ]+", "", text.replace("\n", ""))
        assert all(re.sub(r"[\d ]+", "", label) in joined for label in labels)
        # numbers after a label's first piece, the rest of the label on the next line
        interleaved += sum(
            bool(_numbers_line(a)) and not _numbers_line(b) and not any(b.startswith(x) for x in labels)
            for a, b in pairwise(lines)
        )
    assert interleaved >= 2


@pytest.mark.parametrize("gold", _variants("one-other-row"), ids=_stem)
def test_one_other_row_prints_the_2021_other_outcomes_as_one_row(gold: Path) -> None:
    text = _tables(gold)["section3"]
    assert "逾期不补正" not in text and "收费通知" not in text
    assert re.search(r"^（六）其他处理( \d+){7}$", text, re.MULTILINE)


@pytest.mark.parametrize("gold", _variants("run-together"), ids=_stem)
def test_run_together_rows_have_exactly_one_split_that_keeps_the_sums(gold: Path) -> None:
    """Read the run-in lines from the fixture text itself and undo them by brute force."""
    record, tables = _gold(gold), _tables(gold)
    spec = TEMPLATES[record.template]
    printed: dict[tuple[str, ...], list[str]] = {}
    for line in tables["section3"].split("\n"):
        tokens = line.split()
        row = next((r for r in spec.section3.rows if r.label in tokens), None)
        numbers = tokens[tokens.index(row.label) + 1 :] if row else []
        if row and len(numbers) < len(APPLICANTS):
            printed[tuple(f"section3.{row.key}.{c}" for c in APPLICANTS)] = numbers
    assert 1 <= len(printed) <= 2
    line4 = tables["section4"].split("\n")[-1].split()
    if len(line4) < 15:
        printed[tuple(f"section4.{r.key}.{c.key}" for r in spec.section4.rows for c in r.columns)] = line4
    truth = {path: record.cell(path) for line in printed for path in line}
    assert readings(record, printed) == [truth]


@pytest.mark.parametrize("gold", _variants("traditional"), ids=_stem)
def test_traditional_text_converts_back_to_the_simplified_labels(gold: Path) -> None:
    raw = _source(gold).read_text(encoding="utf-8")
    assert "處理" in raw and "处理" not in raw
    assert "（七）总计" in _tables(gold)["section3"]


@pytest.mark.parametrize("gold", _variants("fullwidth"), ids=_stem)
def test_fullwidth_text_has_no_ascii_digit(gold: Path) -> None:
    raw = _source(gold).read_text(encoding="utf-8")
    assert not re.search(r"[0-9]", raw) and "０" in raw


@pytest.mark.parametrize("gold", _variants("thousands"), ids=_stem)
def test_thousands_are_separated(gold: Path) -> None:
    text = "\n".join(_tables(gold).values())
    big = [v for _, v in _gold(gold).cells() if v is not None and v >= 1000]
    assert big and all(f"{v:,}" in text for v in big)


# ---------------------------------------------------------------- encodings, HTML, bad


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_encodings_hold_the_seed_text(name: str) -> None:
    data = (FIXTURES / "encodings" / f"{REAL_NUMBERS}.{name}.txt").read_bytes()
    seed = (FIXTURES / "seeds" / f"{REAL_NUMBERS}.txt").read_text(encoding="utf-8")
    codec = {
        "utf8-bom": "utf-8-sig",
        "gb18030": "gb18030",
        "gbk": "gbk",
        "utf16le-bom": "utf-16",
        "utf16le": "utf-16-le",
    }
    assert data.decode(codec[name]) == seed
    if name == "utf16le":  # no BOM, yet a detector finds it
        assert data[:2] != b"\xff\xfe"
        best = from_bytes(data).best()
        assert best is not None and best.encoding == "utf_16_le" and str(best) == seed
    if name in ("gbk", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")


WORD = sorted((FIXTURES / "html").glob("*.word*.html"))
HTML = sorted(set((FIXTURES / "html").glob("*.html")) - set(WORD))


@pytest.mark.parametrize("page", HTML, ids=lambda p: p.name)
def test_html_pages_drop_scripts_to_read_right(page: Path) -> None:
    gold = _gold(page.with_name(page.name.removesuffix(".html") + ".gold.json"))
    soup = BeautifulSoup(page.read_bytes(), "lxml")
    traps = [s.get_text() for s in soup.find_all("script") if "本年新收" in s.get_text()]
    assert traps and re.search(r"\d\d", traps[0])
    assert soup.find("style") is not None
    if ".table" in page.name:
        tables = soup.find_all("table")
        assert len(tables) == 3 and tables[1].find("td", rowspan=True) and tables[1].find("td", colspan=True)
        new = [td.get_text() for td in tables[1].find_all("tr")[3].find_all("td")]
        assert new[1:] == [str(gold.cell(f"section3.new.{c}")) for c in APPLICANTS]
    else:
        assert soup.find("table") is None
        assert len(soup.find_all("br" if "flat-br" in page.name else "p")) > 100
        for script in soup.find_all(["script", "style"]):
            script.decompose()
        lines = [line.strip() for line in soup.get_text("\n").split("\n") if line.strip()]
        start = lines.index("一、本年新收政府信息公开申请数量") + 1
        assert lines[start : start + 7] == [str(gold.cell(f"section3.new.{c}")) for c in APPLICANTS]


@pytest.mark.parametrize("page", WORD, ids=lambda p: p.name)
def test_word_pages_cut_labels_and_numbers_across_tags_span_rows_and_leave_zeros_blank(page: Path) -> None:
    gold = _gold(page.with_name(page.name.removesuffix(".html") + ".gold.json"))
    markup = page.read_text(encoding="utf-8")
    assert "<o:p>" in markup and "Microsoft Word" in markup and "<![endif]-->" in markup
    soup = BeautifulSoup(markup, "lxml")
    section3 = soup.find_all("table")[1]
    assert max(int(td["rowspan"]) for td in section3.find_all("td", rowspan=True)) >= 20
    cells = section3.find_all("td")
    assert any(len(td.find_all(["span", "font"])) > 1 for td in cells if td.get_text().strip().isdigit())
    blank = [td for td in cells if td.get_text().strip() == "" and td.find("o:p")]
    assert blank and len([p for p, v in gold.cells() if v is None]) == 6


def test_gbk_page_declares_its_charset() -> None:
    page = next(p for p in HTML if "-gbk" in p.name)
    data = page.read_bytes()
    assert b"charset=gbk" in data and "本年新收" in data.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_bad_inputs_have_no_gold_and_are_really_bad() -> None:
    bad = FIXTURES / "bad"
    assert sorted(p.name for p in bad.iterdir()) == [
        "empty.txt",
        "garbage.txt",
        "not-a-report.txt",
        "truncated.txt",
        "unsupported.docx",
    ]
    assert (bad / "empty.txt").read_bytes() == b""
    assert "年度报告" not in (bad / "not-a-report.txt").read_text(encoding="utf-8")
    truncated = (bad / "truncated.txt").read_bytes()
    for codec in ("utf-8", "gb18030", "gbk", "utf-16-le", "utf-16"):
        with pytest.raises(UnicodeDecodeError):
            truncated.decode(codec)


# ---------------------------------------------------------------- regeneration


def _tree(folder: Path) -> dict[str, bytes]:
    """The generated files under ``folder`` (fixtures/real is read and written by people)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "README.md" and p.relative_to(folder).parts[0] != "real"
    }


def test_generation_with_the_default_seed_gives_the_committed_fixtures_byte_for_byte(tmp_path: Path) -> None:
    generate(tmp_path, FIXTURES / "seeds", DEFAULT_SEED)
    assert _tree(tmp_path) == _tree(FIXTURES)


def test_another_seed_draws_other_numbers_and_the_same_seed_the_same_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", FIXTURES / "seeds", 1)
    generate(tmp_path / "b", FIXTURES / "seeds", 1)
    first, again = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert first == again
    committed = _tree(FIXTURES)
    random_cases = [name for name in committed if ".random." in name]
    assert random_cases and all(first[name] != committed[name] for name in random_cases)
