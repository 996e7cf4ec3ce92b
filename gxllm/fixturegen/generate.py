"""Write the fixture tree: layout variants, encodings, HTML pages and bad inputs.

Everything is drawn from ``random.Random`` seeded with the run's seed and the
file's name, so the same seed writes the same bytes, and adding a variant does
not change the others.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gxllm.fixturegen.html import Flattening, report_html
from gxllm.fixturegen.markdown import MarkdownStyle, report_markdown
from gxllm.fixturegen.word import blank_zeros, report_word_html
from gxllm.fixturegen.pdf import write_pdf_cases
from gxllm.fixturegen.pdftotext import write_pdftotext_cases
from gxllm.fixturegen.scan import write_scan_cases
from gxllm.fixturegen.seeds import Seed, gold_json, load_seeds, with_random_numbers
from gxllm.fixturegen.text_layouts import LAYOUTS, NotApplicable, render
from gxllm.record import Record

DEFAULT_SEED = 20240101
# Random draws tried for one variant before giving up: a layout that needs a
# number of four digits, or a run-in the sums can undo, is rarely refused twice.
DRAWS = 50

# The seed whose own numbers are real (not all zero): every layout of its numbers.
REAL_NUMBERS = "lianyun-gov-2024"
# Seeds whose prose states no table number, so random numbers cannot contradict
# it; 海安 is the only 2019-template seed and gets every layout, the two 2021
# seeds share the layouts between them.
RANDOM_2019 = "haian-kjj-2019"
RANDOM_2021 = ("lianyun-kjj-2024", "yindu-kjj-2024")
LAYOUTS_2021_ONLY = ("one-other-row",)


@dataclass(frozen=True)
class Planned:
    seed: str
    layout: str
    random_numbers: bool

    @property
    def name(self) -> str:
        return f"{self.seed}.{self.layout}" + (".random" if self.random_numbers else "")


def plan() -> list[Planned]:
    """Every layout variant the fixture set holds."""
    planned = [Planned(REAL_NUMBERS, layout, False) for layout in LAYOUTS]
    planned += [Planned(RANDOM_2019, layout, True) for layout in LAYOUTS if layout not in LAYOUTS_2021_ONLY]
    planned += [Planned(RANDOM_2021[i % 2], layout, True) for i, layout in enumerate(LAYOUTS)]
    return planned


def _draw(rng: random.Random, attempt: Callable[[], tuple[str, Record]], name: str) -> tuple[str, Record]:
    for _ in range(DRAWS):
        try:
            return attempt()
        except NotApplicable:
            continue
    raise NotApplicable(f"{name}: no record in {DRAWS} draws fits the layout")




def _write_case(folder: Path, stem: str, suffix: str, source: bytes, gold: Record) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}{suffix}").write_bytes(source)
    (folder / f"{stem}.gold.json").write_text(gold_json(gold), encoding="utf-8")


def write_layouts(out: Path, seeds: dict[str, Seed], seed: int) -> None:
    for item in plan():
        source = seeds[item.seed]
        rng = random.Random(f"{seed}:{item.name}")

        def attempt(source: Seed = source, item: Planned = item, rng: random.Random = rng) -> tuple[str, Record]:
            record = with_random_numbers(source, rng) if item.random_numbers else source.gold
            variant = render(item.layout, source.text, record, rng)
            return variant.text, variant.gold

        text, gold = _draw(rng, attempt, item.name) if item.random_numbers else attempt()
        _write_case(out / "layouts", item.name, ".txt", text.encode("utf-8"), gold)


# name → how the text becomes bytes; UTF-16 without a BOM is detectable from
# the zero high bytes of its ASCII digits, pipes and line breaks.
ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "utf8-bom": lambda text: text.encode("utf-8-sig"),
    "gb18030": lambda text: text.encode("gb18030"),
    "gbk": lambda text: text.encode("gbk"),
    "utf16le-bom": lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
    "utf16le": lambda text: text.encode("utf-16-le"),
}


def write_encodings(out: Path, seeds: dict[str, Seed]) -> None:
    source = seeds[REAL_NUMBERS]
    for name, encode in ENCODINGS.items():
        _write_case(out / "encodings", f"{source.name}.{name}", ".txt", encode(source.text), source.gold)


# (seed, flattening, random numbers, charset)
HTML_PAGES: tuple[tuple[str, Flattening, bool, str], ...] = (
    (REAL_NUMBERS, "table", False, "utf-8"),
    (REAL_NUMBERS, "p", False, "utf-8"),
    (RANDOM_2019, "table", True, "utf-8"),
    (RANDOM_2021[1], "br", True, "utf-8"),
    (RANDOM_2021[0], "table", True, "gbk"),
)


def write_html(out: Path, seeds: dict[str, Seed], seed: int) -> None:
    for name, flattening, random_numbers, charset in HTML_PAGES:
        source = seeds[name]
        label = {"table": "table", "p": "flat-p", "br": "flat-br"}[flattening]
        stem = f"{name}.{label}" + (f"-{charset}" if charset != "utf-8" else "") + (".random" if random_numbers else "")
        rng = random.Random(f"{seed}:{stem}")
        record = with_random_numbers(source, rng) if random_numbers else source.gold
        page = report_html(source.text, record, flattening, charset)
        _write_case(out / "html", stem, ".html", page.encode(charset), record)


WORD_PAGES: tuple[tuple[str, bool], ...] = ((REAL_NUMBERS, False), (RANDOM_2019, True), (RANDOM_2021[0], True))


def write_word_pages(out: Path, seeds: dict[str, Seed], seed: int) -> None:
    """Reports saved as web pages by Word, a few zero cells left blank."""
    for name, random_numbers in WORD_PAGES:
        source = seeds[name]
        stem = f"{name}.word" + (".random" if random_numbers else "")
        rng = random.Random(f"{seed}:{stem}")
        record = with_random_numbers(source, rng) if random_numbers else source.gold
        gold = blank_zeros(record, rng)
        _write_case(out / "html", stem, ".html", report_word_html(source.text, gold, rng).encode("utf-8"), gold)


# (seed, converter style, random numbers)
MARKDOWN_FILES: tuple[tuple[str, MarkdownStyle, bool], ...] = (
    (REAL_NUMBERS, "pipe", False),
    (REAL_NUMBERS, "html", False),
    (REAL_NUMBERS, "flat", False),
    (RANDOM_2019, "pipe", True),
    (RANDOM_2019, "flat", True),
    (RANDOM_2021[0], "html", True),
    (RANDOM_2021[1], "flat", True),
)


def write_markdown(out: Path, seeds: dict[str, Seed], seed: int) -> None:
    for name, style, random_numbers in MARKDOWN_FILES:
        source = seeds[name]
        stem = f"{name}.md-{style}" + (".random" if random_numbers else "")
        rng = random.Random(f"{seed}:{stem}")
        record = with_random_numbers(source, rng) if random_numbers else source.gold
        _write_case(out / "markdown", stem, ".md", report_markdown(source.text, record, style).encode("utf-8"), record)


NOT_A_REPORT = """关于2024年端午节放假安排的通知

各科室、各下属单位：
根据国务院办公厅通知精神，现将2024年端午节放假安排通知如下：
6月10日放假，与周末连休，共3天。
节假日期间，各单位要妥善安排好值班和安全保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置。
祝大家节日愉快！

办公室
2024年6月3日
"""


def write_bad(out: Path, seeds: dict[str, Seed], seed: int) -> None:
    """Inputs ``gxllm extract`` must refuse with a one-line reason (no gold beside them)."""
    rng = random.Random(f"{seed}:bad")
    folder = out / "bad"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "garbage.txt").write_bytes(rng.randbytes(2048))
    (folder / "not-a-report.txt").write_text(NOT_A_REPORT, encoding="utf-8")
    (folder / "unsupported.docx").write_bytes(b"PK\x03\x04" + rng.randbytes(1024))
    # A report cut off in the middle of a character, with bytes no Chinese
    # encoding has (0xFF), and an odd length so it is not UTF-16 either.
    head = seeds[REAL_NUMBERS].text.encode("utf-8")[:1501]
    truncated = head[:700] + b"\xff\xfe\x80\xff" + head[700:]
    (folder / "truncated.txt").write_bytes(truncated if len(truncated) % 2 else truncated[:-1])


def generate(out: Path, seeds_folder: Path, seed: int = DEFAULT_SEED) -> None:
    """Write the whole fixture tree under ``out`` (text, HTML, PDF and scans), copying the seeds there first."""
    seeds_out = out / "seeds"
    if seeds_folder.resolve() != seeds_out.resolve():
        seeds_out.mkdir(parents=True, exist_ok=True)
        for path in sorted(seeds_folder.glob("*.txt")) + sorted(seeds_folder.glob("*.gold.json")):
            shutil.copyfile(path, seeds_out / path.name)
    seeds = load_seeds(seeds_out)
    write_layouts(out, seeds, seed)
    write_encodings(out, seeds)
    write_html(out, seeds, seed)
    write_word_pages(out, seeds, seed)
    write_markdown(out, seeds, seed)
    write_bad(out, seeds, seed)
    write_pdf_cases(out / "pdf", seeds, seed)
    write_pdftotext_cases(out / "pdf", out / "pdftotext")
    write_scan_cases(out / "scans", seeds, seed)
