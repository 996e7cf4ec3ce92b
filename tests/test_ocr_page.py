"""Real OCR (RapidOCR's wheel models) on small generated scans of a table."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from gxllm.errors import UnreadableInput, UnsupportedInput
from gxllm.fixturegen.grid import grid
from gxllm.fixturegen.pdf import LAYOUTS, table_pdf
from gxllm.fixturegen.records import random_record
from gxllm.fixturegen.scan import STYLES, ScanStyle, degrade
from gxllm.ocr.page import estimate_orientation
from gxllm.read import load_source
from gxllm.read.image import read_image
from gxllm.settings import Settings

RECORD = random_record("2021", random.Random(7))
SECTION2 = grid(RECORD, "section2")
# The rows that hold values, as their printed cells in order.
EXPECTED = [[cell.text for cell in row] for row in SECTION2 if any(cell.kind == "value" for cell in row)]


@pytest.fixture(scope="module")
def page() -> Image.Image:
    document = pdfium.PdfDocument(table_pdf(SECTION2, LAYOUTS["grid"], width=420))
    return document[0].render(scale=200 / 72, grayscale=True).to_pil()


def _value_rows(path: Path) -> list[list[str]]:
    document = read_image(load_source(path, Settings()), Settings())
    labels = {row[0] for row in EXPECTED}
    return [line.text.split("\t") for line in document.lines if line.text.split("\t")[0] in labels]


def _save(images: list[Image.Image], path: Path, **options: object) -> Path:
    images[0].save(path, save_all=len(images) > 1, append_images=images[1:], **options)
    return path


def test_expected_rows_hold_numbers() -> None:
    assert len(EXPECTED) == 6 and all(row[1:] for row in EXPECTED)


def test_clean_png_reads_every_cell(page: Image.Image, tmp_path: Path) -> None:
    path = _save([degrade(page, STYLES["scan-clean"], random.Random(1))], tmp_path / "clean.png", dpi=(200, 200))
    assert _value_rows(path) == EXPECTED


def test_degraded_jpeg_reads_every_cell(page: Image.Image, tmp_path: Path) -> None:
    path = _save([degrade(page, STYLES["scan-degraded"], random.Random(2))], tmp_path / "faded.jpg", quality=60)
    document = read_image(load_source(path, Settings()), Settings())
    rows = [line for line in document.lines if line.text.split("\t")[0] in {row[0] for row in EXPECTED}]
    assert [line.text.split("\t") for line in rows] == EXPECTED
    assert all(line.cell_confidences and len(line.cell_confidences) == len(line.cell_boxes or []) for line in rows)


def test_turned_pages_of_a_tiff_are_put_upright(page: Image.Image, tmp_path: Path) -> None:
    sideways = ScanStyle("sideways", 1.5, 0.1, 0.0, 4.0, 70, quarter_turns=(1,))
    upside_down = ScanStyle("upside-down", 1.0, 0.1, 0.0, 4.0, 70, quarter_turns=(2,))
    pages = [degrade(page, sideways, random.Random(3)), degrade(page, upside_down, random.Random(4))]
    path = _save(pages, tmp_path / "turned.tif", compression="tiff_deflate")
    document = read_image(load_source(path, Settings()), Settings())
    assert document.pages == 2
    labels = {row[0] for row in EXPECTED}
    for number in (1, 2):
        rows = [line.text.split("\t") for line in document.lines if line.page == number and line.text.split("\t")[0] in labels]
        assert rows == EXPECTED
    # Evidence boxes are on the page as given: the sideways page is wider than tall.
    first = next(line for line in document.lines if line.page == 1 and line.cell_boxes)
    width, height = pages[0].size
    assert all(0 <= box[0] < box[2] <= width and 0 <= box[1] < box[3] <= height for box in first.cell_boxes or [])


def test_orientation_and_skew_are_measured(page: Image.Image) -> None:
    pixels = np.asarray(page)
    assert estimate_orientation(pixels)[0] == 0
    assert abs(estimate_orientation(pixels)[1]) < 0.3
    skewed = np.asarray(page.rotate(2.0, fillcolor=255, resample=Image.Resampling.BICUBIC))
    assert estimate_orientation(skewed) == (0, pytest.approx(-2.0, abs=0.3))
    assert estimate_orientation(np.ascontiguousarray(np.rot90(pixels)))[0] == 1


def test_corrupt_image(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(UnreadableInput):
        read_image(load_source(path, Settings()), Settings())


def test_other_image_formats_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    Image.new("L", (20, 20), 255).save(path, "GIF")
    with pytest.raises(UnsupportedInput, match="GIF images are not read"):
        read_image(load_source(path, Settings()), Settings())


def test_pixel_limit_is_checked_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    Image.new("1", (400, 300), 1).save(path)
    with pytest.raises(UnsupportedInput, match="400×300 pixels, over the limit of 100000"):
        read_image(load_source(path, Settings()), Settings(max_page_pixels=100_000))


def test_page_limit(tmp_path: Path) -> None:
    frames = [Image.new("L", (50, 50), 255) for _ in range(3)]
    path = _save(frames, tmp_path / "many.tif")
    with pytest.raises(UnsupportedInput, match="3 pages, over the limit of 2"):
        read_image(load_source(path, Settings()), Settings(max_pages=2))
