"""Reading: encodings detected from the bytes, HTML tables kept as rows, bad input refused."""

from __future__ import annotations

import codecs

import pytest

from gxllm.errors import EmptyInput, UnreadableInput, UnsupportedInput
from gxllm.normalize import normalize, normalize_line
from gxllm.read import Source, load_source, read_document
from gxllm.read.html import html_to_lines
from gxllm.settings import Settings
from tests.conftest import SEEDS

SAMPLE = "连云区人民政府2024年政府信息公开工作年度报告\n一、本年新收政府信息公开申请数量 65 3 0 0 0 0 68\n"


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("gb18030"), "gb18030"),
        (SAMPLE.encode("gbk"), "gb18030"),
        (SAMPLE.encode("utf-16"), "utf-16"),
        (SAMPLE.encode("utf-16-le"), "utf-16"),
        (SAMPLE.encode("utf-16-be"), "utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "gbk", "utf-16-bom", "utf-16-le", "utf-16-be"],
)
def test_encodings_are_detected(tmp_path, encoded, encoding):
    path = tmp_path / "report.txt"
    path.write_bytes(encoded)
    document = read_document(load_source(path, Settings()), Settings())
    assert document.encoding == encoding
    assert document.text.rstrip("\n") == SAMPLE.rstrip("\n")


def test_seed_reads_as_utf8():
    document = read_document(load_source(SEEDS / "lianyun-gov-2024.txt", Settings()), Settings())
    assert document.kind == "text" and document.encoding == "utf-8"
    assert len(document.sha256) == 64


def test_html_table_rows_and_cells_kept_scripts_dropped(tmp_path):
    page = """<html><head><style>td{color:red} .x{content:"99"}</style>
    <script>var total = 12345; document.write("68")</script></head>
    <body><h1>某局2024年政府信息公开工作年度报告</h1>
    <table><tr><td rowspan="2">三、本年度办理结果</td><td>（一）予以公开</td><td>24</td><td>2</td></tr>
    <tr><td>（二）部分<br>公开</td><td>8</td><td></td></tr></table>
    <p>六、其他需要报告的事项</p><noscript>0 0 0</noscript></body></html>"""
    lines = html_to_lines(page)
    assert lines[0] == "某局2024年政府信息公开工作年度报告"
    assert lines[1] == "三、本年度办理结果\t（一）予以公开\t24\t2"
    assert lines[2] == "（二）部分 公开\t8\t"  # the empty cell is kept
    assert not any("12345" in line or "99" in line or "0 0 0" in line for line in lines)


def test_html_file_with_gbk_meta(tmp_path):
    path = tmp_path / "page.htm"
    path.write_bytes("<html><body><p>某局政府信息公开工作年度报告</p></body></html>".encode("gbk"))
    document = read_document(load_source(path, Settings()), Settings())
    assert document.kind == "html"
    assert document.text == "某局政府信息公开工作年度报告"


def test_flattened_html_reads_as_lines(tmp_path):
    path = tmp_path / "flat.html"
    path.write_text("<div>规章<br>0<br>0<br>0</div><p>行政许可</p><p>18858</p>", encoding="utf-8")
    assert read_document(load_source(path, Settings()), Settings()).text.split("\n") == ["规章", "0", "0", "0", "行政许可", "18858"]


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_html_nested_thousands_deep_reads_as_the_same_lines(depth):
    paragraphs = "".join(f"<p>{line}</p>" for line in (SEEDS / "lianyun-gov-2024.txt").read_text(encoding="utf-8").splitlines())
    flat = html_to_lines(f"<html><body>{paragraphs}</body></html>")
    nested = html_to_lines(f"<html><body>{'<div>' * depth}{paragraphs}{'</div>' * depth}</body></html>")
    assert len(flat) > 300 and nested == flat


@pytest.mark.parametrize(
    ("name", "content", "error", "reason"),
    [
        ("empty.txt", b"", EmptyInput, "empty"),
        ("blank.txt", b"  \n\t\n", EmptyInput, "no text"),
        ("garbage.txt", bytes(range(256)) * 8, UnreadableInput, "not text"),
        ("report.docx", b"PK\x03\x04junk", UnsupportedInput, "unsupported file type .docx"),
        ("noscript.html", b"<script>1 2 3</script>", EmptyInput, "no text"),
    ],
)
def test_bad_input_is_refused_with_a_reason(tmp_path, name, content, error, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error, match=reason):
        read_document(load_source(path, Settings()), Settings())


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableInput, match="no such file"):
        read_document(load_source(tmp_path / "absent.txt", Settings()), Settings())


def test_bytes_and_a_name_read_as_their_file_does():
    path = SEEDS / "lianyun-gov-2024.txt"
    from_file = read_document(load_source(path, Settings()), Settings())
    from_bytes = read_document(Source("uploads/report.TXT", path.read_bytes()), Settings())
    assert (from_file.path, from_bytes.path) == (str(path), "uploads/report.TXT")
    assert from_bytes.model_dump(exclude={"path"}) == from_file.model_dump(exclude={"path"})
    with pytest.raises(UnsupportedInput, match="unsupported file type .docx"):
        read_document(Source("report.docx", path.read_bytes()), Settings())
    with pytest.raises(EmptyInput, match="the file is empty"):
        read_document(Source("report.txt", b""), Settings())


def test_normalisation_full_width_traditional_and_invisible():
    assert normalize_line("總計：１８，８５８\u200b", Settings()) == "总计:18,858"
    assert normalize_line("政府資訊公開工作年度報告", Settings()) == "政府资讯公开工作年度报告"
    assert normalize_line("结果\u3000维持", Settings()) == "结果 维持"


def test_normalised_text_keeps_lines_and_offsets():
    document = read_document(load_source(SEEDS / "yindu-kjj-2024.txt", Settings()), Settings())
    normalized = normalize(document, Settings())
    assert len(normalized.line_starts) == len(document.lines)
    for index in (0, 10, len(document.lines) - 1):
        start = normalized.line_starts[index]
        assert normalized.text[start:].split("\n", 1)[0] == normalize_line(document.lines[index].text, Settings())


def test_markdown_markup_comes_off_and_its_tables_stay_readable():
    from gxllm.read.markdown import markdown_to_lines

    markup = (
        "## 一、总体情况\r\n**本年**[公开](http://x)信息![图](a.png)。\r\n---\r\n> 引文\r\n"
        "| 信息内容 | 本年制发件数 |\r\n|---|---|\r\n| 规章 | 2 |\r\n"
        "<table><tr><td>行政许可</td><td>1<span>8</span></td></tr></table>\r\n下文<br>另起"
    )
    assert markdown_to_lines(markup) == [
        "一、总体情况", "本年公开信息。", "引文", "| 信息内容 | 本年制发件数 |", "|---|---|", "| 规章 | 2 |", "",
        "行政许可\t18", "", "下文", "另起",
    ]  # the header rule stays for the table reader, which skips it


def test_tabs_a_crawler_ends_every_line_with_are_not_blank_cells():
    # A real dump with a tab after every line, its prose too, reads as its gold.
    from gxllm.evaluate.gold import load_gold_dir
    from gxllm.pipeline import extract
    from tests.conftest import ROOT

    case = next(c for c in load_gold_dir(ROOT / "fixtures" / "real") if c.source.name == "putian-hyj-2024.txt")
    tabbed = "\n".join(line + "\t" for line in case.source.read_text(encoding="utf-8").split("\n"))
    record = extract(Source(name=case.source.name, data=tabbed.encode()), settings=Settings()).record
    assert dict(record.cells()) == dict(case.gold.cells())


def test_a_tab_closing_a_table_row_stays_a_blank_cell():
    text = "一、总体情况\n本年度我局共主动公开政府信息二百条，比上年有所增加。\n行政许可\t3\t\n规章\t\t1\n"
    lines = [line.text for line in read_document(Source(name="r.txt", data=text.encode()), Settings()).lines]
    assert lines[2:4] == ["行政许可\t3\t", "规章\t\t1"]
    tabbed = "\n".join(line + "\t" for line in text.split("\n"))
    lines = [line.text for line in read_document(Source(name="r.txt", data=tabbed.encode()), Settings()).lines]
    assert lines[1:4] == ["本年度我局共主动公开政府信息二百条，比上年有所增加。", "行政许可\t3", "规章\t\t1"]


def test_markdown_table_cells_an_ocr_converter_printed_with_look_alike_letters_read_as_digits():
    from gxllm.read.markdown import markdown_to_lines

    markup = "| 规章 | O | l | 1O |\n| Other | I | 0 |\n<table><tr><td>行政许可</td><td>o</td></tr></table>\n| 一、本年新收<br>申请数量 | 3 |\n正文 Oil<br>另起"
    assert markdown_to_lines(markup) == [
        "| 规章 | 0 | 1 | 10 |", "| Other | 1 | 0 |", "", "行政许可\t0", "", "| 一、本年新收申请数量 | 3 |", "正文 Oil", "另起",
    ]


def test_a_real_markdown_report_whose_zeros_and_ones_are_letters_reads_as_its_gold():
    import re

    from gxllm.pipeline import extract
    from gxllm.record import Record
    from tests.conftest import ROOT

    source = ROOT / "fixtures" / "real" / "shanghai-stcsm-2024.md"
    gold = Record.model_validate_json(source.with_name(source.stem + ".gold.json").read_text(encoding="utf-8"))
    lines = source.read_text(encoding="utf-8").split("\n")
    ocr = [re.sub(r"\| 1 \|", "| l |", re.sub(r"\| 0 \|", "| O |", line)) if line.startswith("|") else line for line in lines]
    assert ocr != lines
    record = extract(Source(name=source.name, data="\n".join(ocr).encode()), settings=Settings()).record
    base = extract(source, settings=Settings()).record
    assert dict(record.cells()) == dict(base.cells())
    assert sum(record.cell(path) == value for path, value in gold.cells()) == 199
