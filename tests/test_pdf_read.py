"""PDF reading: text layer, rebuilt tables, whole fixture reports, and bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from gxllm.errors import EmptyInput, GxllmError, UnreadableInput, UnsupportedInput
from gxllm.pipeline import extract
from gxllm.read import load_source, read_document
from gxllm.read.pdf import read_pdf
from gxllm.record import Record
from gxllm.settings import Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pdf"
PDF_CASES = sorted(FIXTURES.glob("*.pdf"))


def _gold(path: Path) -> Record:
    return Record.model_validate(json.loads(path.with_name(path.name[: -len(".pdf")] + ".gold.json").read_text("utf-8")))


def test_fixture_set_is_there() -> None:
    assert len(PDF_CASES) == 4


@pytest.mark.parametrize("path", PDF_CASES, ids=lambda p: p.stem)
def test_born_digital_pdf_gives_every_cell(path: Path) -> None:
    gold = _gold(path)
    extraction = extract(path, settings=Settings())
    wrong = [p for p in gold.spec.cell_paths() if extraction.record.cell(p) != gold.cell(p)]
    assert wrong == []
    evidence = extraction.evidence["section3.new.total"]
    assert evidence.page is not None and evidence.box is not None and evidence.method == "text"


def test_section3_rows_come_out_as_tab_separated_cells_with_boxes() -> None:
    path = FIXTURES / "lianyun-gov-2024.grid.pdf"
    document = read_pdf(load_source(path, Settings()), Settings())
    gold = _gold(path)
    assert document.kind == "pdf" and document.pages == 5
    new_row = next(line for line in document.lines if line.text.startswith("一、本年新收"))
    columns = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other", "total")
    expected = [str(gold.cell(f"section3.new.{column}")) for column in columns]
    assert new_row.text.split("\t")[1:] == expected
    assert len(new_row.cell_boxes or []) == 1 + len(expected)
    assert new_row.confidence is None
    assert not any(line.text.strip() in {"- 1 -", "- 2 -"} for line in document.lines)  # page numbers dropped


def _pdf(tmp_path: Path, name: str, pages: int = 1, encrypt: StandardEncryption | None = None, size=A4) -> Path:
    path = tmp_path / name
    page = canvas.Canvas(str(path), pagesize=size, encrypt=encrypt, invariant=True)
    for _ in range(pages):
        page.drawString(72, 720, "Annual report page with enough characters to count as text.")
        page.showPage()
    page.save()
    return path


def test_encrypted_pdf_needs_a_password(tmp_path: Path) -> None:
    path = _pdf(tmp_path, "locked.pdf", encrypt=StandardEncryption("secret", canPrint=0))
    with pytest.raises(UnreadableInput, match="encrypted and needs a password"):
        read_pdf(load_source(path, Settings()), Settings())


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    with pytest.raises(UnreadableInput, match="not a readable PDF"):
        read_document(load_source(path, Settings()), Settings())


def test_zero_page_pdf(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    with path.open("wb") as out:
        pdfium.PdfDocument.new().save(out)
    with pytest.raises(UnreadableInput, match="no pages"):
        read_pdf(load_source(path, Settings()), Settings())


def test_too_many_pages(tmp_path: Path) -> None:
    path = _pdf(tmp_path, "long.pdf", pages=3)
    with pytest.raises(UnsupportedInput, match="3 pages, over the limit of 2"):
        read_pdf(load_source(path, Settings()), Settings(max_pages=2))


def test_huge_page_without_text_is_refused_before_rendering(tmp_path: Path) -> None:
    path = tmp_path / "poster.pdf"
    page = canvas.Canvas(str(path), pagesize=(14400, 14400), invariant=True)
    page.rect(10, 10, 100, 100)
    page.showPage()
    page.save()
    with pytest.raises(UnsupportedInput, match="GXLLM_MAX_PAGE_PIXELS"):
        read_pdf(load_source(path, Settings()), Settings())


def test_blank_pdf_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    page = canvas.Canvas(str(path), pagesize=(200, 200), invariant=True)
    page.showPage()
    page.save()
    with pytest.raises(EmptyInput, match="no text"):
        read_pdf(load_source(path, Settings()), Settings())


def test_errors_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"not a pdf at all\n\n\nreally")
    with pytest.raises(GxllmError) as caught:
        read_pdf(load_source(path, Settings()), Settings())
    assert "\n" not in str(caught.value)
