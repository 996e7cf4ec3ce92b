"""Page reading with a scripted engine: where the detector looks, and the
second reading of a doubtful piece."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from gxllm.layout.boxes import Rule
from gxllm.ocr.page import DETECT_DPI, MIN_CONFIDENCE, _detect, _ink, _missed_ink, _read

UNIT = 200 / 72


class ScriptedEngine:
    """Finds one line covering the whole image it is given; reads a crop as
    "0", confidently only when the crop is small (tight to its ink)."""

    name = "scripted"

    def __init__(self) -> None:
        self.detected: list[tuple[int, ...]] = []
        self.recognized: list[list[tuple[int, ...]]] = []

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        self.detected.append(image.shape)
        height, width = image.shape[:2]
        return [np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)]

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        self.recognized.append([crop.shape for crop in crops])
        return [("0", 0.95 if crop.shape[0] < 45 else 0.4) for crop in crops]

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[float]:
        return [0.0 for _ in crops]


def _page_with_ink(box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    gray = np.full((2339, 1654), 255, dtype=np.uint8)
    x0, top, x1, bottom = box
    gray[top:bottom, x0:x1] = 0
    return np.stack([gray] * 3, axis=-1), _ink(gray)


def test_only_the_inked_part_is_detected_at_the_detection_resolution() -> None:
    colour, ink = _page_with_ink((400, 600, 1200, 900))
    engine = ScriptedEngine()
    [box] = _detect(colour, ink, engine, UNIT)
    # The part sent: the ink plus a 12-point margin, scaled to DETECT_DPI with
    # sides in multiples of 32; the box comes back in page pixels.
    margin = int(12 * UNIT)
    part_w, part_h = 800 + 2 * margin, 300 + 2 * margin
    scale = DETECT_DPI / 200
    assert engine.detected == [(round(part_h * scale / 32) * 32, round(part_w * scale / 32) * 32, 3)]
    assert box == pytest.approx((400 - margin, 600 - margin, 1200 + margin, 900 + margin))


def test_a_blank_page_is_not_sent_to_the_detector() -> None:
    colour, ink = _page_with_ink((0, 0, 0, 0))
    engine = ScriptedEngine()
    assert _detect(colour, ink, engine, UNIT) == []
    assert engine.detected == []


def test_a_doubtful_piece_is_read_again_tight_to_its_ink() -> None:
    colour, ink = _page_with_ink((500, 500, 520, 528))
    engine = ScriptedEngine()
    loose = (490.0, 490.0, 530.0, 540.0)
    [(box, text, confidence)] = _read(colour, ink, [loose], engine, margin=4.0)
    assert (box, text, confidence) == ((500.0, 500.0, 520.0, 528.0), "0", 0.95)
    assert engine.recognized == [[(59, 49, 3)], [(37, 29, 3)]]
    assert 0.4 < MIN_CONFIDENCE


def test_a_confident_piece_is_read_once() -> None:
    colour, ink = _page_with_ink((500, 500, 520, 528))
    engine = ScriptedEngine()
    piece = (498.0, 498.0, 522.0, 530.0)
    assert _read(colour, ink, [piece], engine, margin=4.0) == [(piece, "0", 0.95)]
    assert [shapes for shapes in engine.recognized if shapes] == [[(41, 33, 3)]]


def test_ink_the_detector_missed_is_found_glyph_by_glyph_or_cell_by_cell() -> None:
    gray = np.full((1000, 1000), 255, dtype=np.uint8)
    gray[100:120, 100:112] = 0  # a lone digit of an unruled table, not detected
    gray[100:120, 300:312] = 0  # a digit the detector found
    gray[100:120, 314:326] = 0  # ... and ink touching it: part of what it read
    gray[400:420, 500:510] = 0  # two pieces of one ruled cell, not detected
    gray[400:420, 516:526] = 0
    gray[400:420, 700:712] = 0  # ink in a ruled cell whose text was found
    gray[600:605, 100:104] = 0  # a speck
    gray[700:900, 100:300] = 0  # a seal or a figure: no text
    found = [(298.0, 98.0, 313.0, 122.0), (690.0, 395.0, 705.0, 425.0)]
    rules = [Rule((480, 380, 800, 380)), Rule((480, 440, 800, 440))]
    rules += [Rule((x, 380, x, 440)) for x in (480, 600, 800)]
    missed = _missed_ink(_ink(gray), rules, found, UNIT)
    assert sorted(missed) == [(100.0, 100.0, 112.0, 120.0), (500.0, 400.0, 526.0, 420.0)]
