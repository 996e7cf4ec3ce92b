"""Real PaddleOCR (its own predictors, onnxruntime, on folders written from the
rapidocr wheel): needs ``paddleocr`` installed, and reads as RapidOCR does."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from gxllm.errors import ConfigError
from gxllm.fixturegen.grid import grid
from gxllm.fixturegen.pdf import LAYOUTS, table_pdf
from gxllm.fixturegen.records import random_record
from gxllm.fixturegen.scan import STYLES, degrade
from gxllm.ocr import get_engine
from gxllm.ocr.paddle import PaddleOcrEngine
from gxllm.ocr.paddle_models import write_paddle_models
from gxllm.read import load_source
from gxllm.read.image import read_image
from gxllm.settings import Settings

RECORD = random_record("2021", random.Random(11))
SECTION2 = grid(RECORD, "section2")
# The rows that hold values, as their printed cells in order.
EXPECTED = [[cell.text for cell in row] for row in SECTION2 if any(cell.kind == "value" for cell in row)]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("paddle-models")
    write_paddle_models(target)
    return target


@pytest.fixture(scope="module")
def settings(models: Path) -> Settings:
    return Settings(ocr_engine="paddleocr", ocr_model_dir=models)


@pytest.fixture(scope="module")
def page() -> Image.Image:
    document = pdfium.PdfDocument(table_pdf(SECTION2, LAYOUTS["grid"], width=420))
    return document[0].render(scale=200 / 72, grayscale=True).to_pil()


def _value_rows(path: Path, settings: Settings) -> list[list[str]]:
    labels = {row[0] for row in EXPECTED}
    rows = [line.text.split("\t") for line in read_image(load_source(path, settings), settings).lines]
    return [row for row in rows if row[0] in labels]


def test_configured_engine_is_paddleocr(settings: Settings) -> None:
    engine = get_engine(settings)
    assert isinstance(engine, PaddleOcrEngine) and engine.name == "paddleocr"


def test_clean_scan_reads_every_cell(page: Image.Image, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "clean.png"
    degrade(page, STYLES["scan-clean"], random.Random(1)).save(path, dpi=(200, 200))
    assert _value_rows(path, settings) == EXPECTED


def test_degraded_upside_down_scan_reads_every_cell(page: Image.Image, settings: Settings, tmp_path: Path) -> None:
    # Upside down: the page is turned by the engine's line classifier's vote.
    path = tmp_path / "turned.jpg"
    degrade(page, STYLES["scan-degraded"], random.Random(2)).rotate(180).save(path, quality=60)
    assert _value_rows(path, settings) == EXPECTED


@pytest.fixture(scope="module")
def image(page: Image.Image) -> np.ndarray:
    """The page as the engines take it: BGR, sides in multiples of 32."""
    grey = np.asarray(page)
    return np.ascontiguousarray(np.stack([grey[: grey.shape[0] // 32 * 32, : grey.shape[1] // 32 * 32]] * 3, axis=-1))


def _crops(image: np.ndarray, quads: list[np.ndarray]) -> list[np.ndarray]:
    return [image[int(q[:, 1].min()) : int(q[:, 1].max()) + 1, int(q[:, 0].min()) : int(q[:, 0].max()) + 1] for q in quads]


def _bounds(quads: list[np.ndarray]) -> np.ndarray:
    return np.array([[q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()] for q in quads])


def test_detects_and_reads_as_rapidocr_does(image: np.ndarray, settings: Settings) -> None:
    paddle, rapid = get_engine(settings), get_engine(Settings(ocr_engine="rapidocr"))
    quads, rapid_quads = paddle.detect(image), rapid.detect(image)
    assert len(quads) == len(rapid_quads) > 20
    # The same boxes (each engine orders lines and corners its own way).
    bounds, rapid_bounds = _bounds(quads), _bounds(rapid_quads)
    assert max(float(np.abs(rapid_bounds - b).max(axis=1).min()) for b in bounds) <= 1.0
    crops = _crops(image, quads)
    readings, rapid_readings = paddle.recognize(crops), rapid.recognize(crops)
    assert [text for text, _ in readings] == [text for text, _ in rapid_readings]
    assert max(abs(a - b) for (_, a), (_, b) in zip(readings, rapid_readings, strict=True)) < 0.01
    assert {row[0] for row in EXPECTED} <= {text for text, _ in readings}


def test_line_classifier_tells_upside_down_lines(image: np.ndarray, settings: Settings) -> None:
    engine = get_engine(settings)
    crops = [c for c in _crops(image, engine.detect(image)) if c.shape[1] > 4 * c.shape[0]]
    upright = engine.upside_down(crops)
    turned = engine.upside_down([np.ascontiguousarray(c[::-1, ::-1]) for c in crops])
    assert len(crops) >= 5
    assert sum(p < 0.5 for p in upright) >= 0.8 * len(crops)
    assert sum(p > 0.5 for p in turned) >= 0.8 * len(crops)


def test_folder_paddlex_cannot_run_is_refused_in_one_line(tmp_path: Path) -> None:
    write_paddle_models(tmp_path)
    config = tmp_path / "rec" / "inference.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("PP-OCRv6_small_rec", "PP-OCRv9_unknown_rec", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^GXLLM_OCR_MODEL_DIR: PaddleOCR cannot load {tmp_path / 'rec'}: [^\n]+$"):
        PaddleOcrEngine(tmp_path)
