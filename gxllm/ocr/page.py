"""One page image to words and ruling lines: upright, straight, and read.

The page is turned upright (0/90/180/270) and its small skew removed before
anything is read, so every box is axis-aligned and table rows line up. The
ruling lines are found and erased first: the detector then never draws one
text box across two cells, and no crop carries a stroke of a cell border
that could read as a digit. Orientation is decided for the page as a whole,
never per text line: a line classifier turns a lone 6 into a 9.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from gxllm.document import Box
from gxllm.layout.boxes import Rule, Word
from gxllm.layout.grids import find_grids
from gxllm.ocr.engine import OcrEngine

# Resolution assumed for an image that gives none and shows no text to measure.
DEFAULT_DPI = 200
# Skew corrected up to this many degrees either way, found to this step.
MAX_SKEW = 5.0
_COARSE_STEP = 0.5
_FINE_STEP = 0.1
# Orientation and skew are measured on a copy this wide.
_PROBE_WIDTH = 800
# A ruling line is at least this long (points): longer than any stroke of a
# character at report font sizes, shorter than the lowest table row.
_RULE_MIN_LENGTH = 16.0
# Breaks up to this long (points) in a found line are bridged.
_RULE_BRIDGE = 6.0
# Lines read to vote on upside-down pages, and the vote share that turns one.
_ORIENTATION_SAMPLE = 24
_UPSIDE_DOWN_SHARE = 0.6
# Words read with less confidence than this are noise (specks, stamps).
MIN_CONFIDENCE = 0.5
# Crops keep this much margin (points) around the detected box.
_CROP_MARGIN = 1.5
# Text lines are detected at this resolution (report text ~16 px high), on the
# part of the page that has ink plus this margin (points): PP-OCR's detector
# finds every line there at a third of the cost of 200 dpi, and a page's
# blank margins (a third of an A4 page) cost nothing.
DETECT_DPI = 110
_DETECT_MARGIN = 12.0
# Unread ink closer than this (points) across is one piece (the digits of a
# number); ink taller than _LARGEST_GLYPH (points) is no text (a seal, a figure).
_GLYPH_JOIN = 2.0
_LARGEST_GLYPH = 24.0
# A row or column of the page with fewer inked pixels than this holds specks.
_SPECK_PIXELS = 3


# Measured ink height of a line of report text, in points (10.5-12 pt type).
_TEXT_INK_HEIGHT = 10.0
# Blobs of ink smaller than this (pixels) are specks; fewer glyphs than this
# measure nothing.
_SMALLEST_GLYPH = 5
_FEWEST_GLYPHS = 20


@dataclass
class PageText:
    """A page's words and rules in the upright, deskewed frame.

    ``to_source`` maps a box of that frame back to the input image's pixels,
    so evidence points at the page as it was given.
    """

    words: list[Word]
    rules: list[Rule]
    width: int
    height: int
    unit: float
    to_source: Callable[[Box], Box]


def _ink(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0, threshold by Otsu (pages are dark text on light paper)."""
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return binary


def _rotate(image: np.ndarray, angle: float, border: int = 0) -> np.ndarray:
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=border)


def _line_sharpness(ink: np.ndarray) -> float:
    """How sharply rows of ink alternate with blank rows: high when text lines
    run horizontally and straight."""
    profile = ink.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(profile)).sum())


def _best_angle(ink: np.ndarray) -> tuple[float, float]:
    def search(angles: np.ndarray) -> tuple[float, float]:
        scores = [(_line_sharpness(_rotate(ink, float(a))), float(a)) for a in angles]
        score, angle = max(scores)
        return angle, score

    angle, _ = search(np.arange(-MAX_SKEW, MAX_SKEW + 1e-6, _COARSE_STEP))
    return search(np.arange(angle - _COARSE_STEP, angle + _COARSE_STEP + 1e-6, _FINE_STEP))


def estimate_orientation(gray: np.ndarray) -> tuple[int, float]:
    """(quarter turns, skew in degrees) that bring the text lines horizontal.

    Sideways pages are told from upright ones by which way the ink rows are
    sharper; 90 and 270 (and 0 and 180) look alike here and are told apart
    later by reading lines.
    """
    scale = _PROBE_WIDTH / max(gray.shape[1], 1)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    ink = _ink(small)
    upright_angle, upright_score = _best_angle(ink)
    side_angle, side_score = _best_angle(np.ascontiguousarray(np.rot90(ink)))
    if side_score > upright_score:
        return 1, side_angle
    return 0, upright_angle


def estimate_unit(straight: np.ndarray) -> float | None:
    """Pixels per point of a straight page, from the size of its characters:
    for images whose file gives no resolution (and may not be a whole page).

    Glyph-sized blobs of ink (not specks, not rules) are measured; the upper
    quartile of their heights is a full character's height.
    """
    count, _, stats, _ = cv2.connectedComponentsWithStats(_ink(straight), connectivity=8)
    widths, heights = stats[1:count, cv2.CC_STAT_WIDTH], stats[1:count, cv2.CC_STAT_HEIGHT]
    glyphs = heights[(heights >= _SMALLEST_GLYPH) & (widths <= 3 * heights) & (heights <= 3 * widths)]
    if len(glyphs) < _FEWEST_GLYPHS:
        return None
    return float(np.percentile(glyphs, 75)) / _TEXT_INK_HEIGHT


def _affine(gray: np.ndarray, quarter_turns: int, skew: float) -> tuple[np.ndarray, int, int]:
    """The matrix from the input image to the corrected frame, and that frame's size."""
    h, w = gray.shape[:2]
    angle = 90.0 * quarter_turns + skew
    out_w, out_h = (h, w) if quarter_turns % 2 else (w, h)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix[0, 2] += out_w / 2 - w / 2
    matrix[1, 2] += out_h / 2 - h / 2
    return matrix, out_w, out_h


def _half_turn(matrix: np.ndarray, width: int, height: int) -> np.ndarray:
    turn = np.array([[-1.0, 0.0, width - 1.0], [0.0, -1.0, height - 1.0], [0.0, 0.0, 1.0]])
    return (turn @ np.vstack([matrix, [0.0, 0.0, 1.0]]))[:2]


def _box_mapper(matrix: np.ndarray) -> Callable[[Box], Box]:
    inverse = cv2.invertAffineTransform(matrix)

    def to_source(box: Box) -> Box:
        x0, top, x1, bottom = box
        corners = np.array([[x0, top, 1], [x1, top, 1], [x1, bottom, 1], [x0, bottom, 1]], dtype=np.float64)
        points = corners @ inverse.T
        return (
            float(points[:, 0].min()),
            float(points[:, 1].min()),
            float(points[:, 0].max()),
            float(points[:, 1].max()),
        )

    return to_source


def find_rules(gray: np.ndarray, unit: float) -> tuple[list[Rule], np.ndarray]:
    """Ruling lines of a straight page, and a mask of their pixels.

    Long thin runs of ink survive an opening with a long flat kernel; the
    pieces of a faded or broken line are then bridged. (Bridging before the
    opening would join the strokes of neighbouring characters into lines.)
    """
    ink = _ink(gray)
    length = max(8, int(_RULE_MIN_LENGTH * unit))
    bridge = max(2, int(_RULE_BRIDGE * unit))
    rules: list[Rule] = []
    mask = np.zeros_like(ink)
    for horizontal in (True, False):
        keep = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
        close = cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, 1) if horizontal else (1, bridge))
        lines = cv2.morphologyEx(cv2.morphologyEx(ink, cv2.MORPH_OPEN, keep), cv2.MORPH_CLOSE, close)
        mask |= lines
        count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for x, y, w, h, _area in stats[1:count]:
            rules.append(Rule((float(x), float(y), float(x + w), float(y + h))))
    return rules, mask


def _split_at_rules(box: Box, rules: list[Rule], margin: float) -> list[Box]:
    """A detected box cut where a vertical rule crosses it (a line drawn over
    two cells); each piece is then read on its own."""
    x0, top, x1, bottom = box
    middle = (top + bottom) / 2
    cuts = sorted(
        (r.box[0] + r.box[2]) / 2
        for r in rules
        if r.orientation == "v" and r.box[1] <= middle <= r.box[3] and x0 + margin < (r.box[0] + r.box[2]) / 2 < x1 - margin
    )
    pieces, left = [], x0
    for cut in cuts:
        pieces.append((left, top, cut - margin, bottom))
        left = cut + margin
    pieces.append((left, top, x1, bottom))
    return [p for p in pieces if p[2] - p[0] > margin]


def _crop(image: np.ndarray, box: Box, margin: float) -> np.ndarray:
    h, w = image.shape[:2]
    x0, top, x1, bottom = box
    return image[
        max(0, int(top - margin)) : min(h, int(bottom + margin + 1)),
        max(0, int(x0 - margin)) : min(w, int(x1 + margin + 1)),
    ]


def _detect(image: np.ndarray, ink: np.ndarray, engine: OcrEngine, unit: float) -> list[Box]:
    """Boxes of the text lines on a page, found on its inked part at DETECT_DPI."""
    # Rows and columns with ink: specks of noise (a pixel or two in a row or
    # column) do not widen the part; any text has more.
    rows = np.flatnonzero(np.count_nonzero(ink, axis=1) >= _SPECK_PIXELS)
    columns = np.flatnonzero(np.count_nonzero(ink, axis=0) >= _SPECK_PIXELS)
    if not rows.size or not columns.size:
        return []
    margin = int(_DETECT_MARGIN * unit)
    left, top = max(0, int(columns[0]) - margin), max(0, int(rows[0]) - margin)
    part = image[top : int(rows[-1]) + 1 + margin, left : int(columns[-1]) + 1 + margin]
    # The detector takes sides in multiples of 32: the part is scaled to those
    # here, once, and boxes scaled back per axis.
    scale = min(1.0, DETECT_DPI / 72 / unit)
    width, height = (max(32, round(side * scale / 32) * 32) for side in (part.shape[1], part.shape[0]))
    small = cv2.resize(part, (width, height), interpolation=cv2.INTER_LINEAR)
    to_x, to_y = part.shape[1] / width, part.shape[0] / height
    return [
        (float(q[:, 0].min() * to_x + left), float(q[:, 1].min() * to_y + top), float(q[:, 0].max() * to_x + left), float(q[:, 1].max() * to_y + top))
        for q in engine.detect(small)
    ]


def _ink_box(ink: np.ndarray, box: Box) -> Box | None:
    """The bounds of the ink inside ``box``; None when there is less than a glyph's worth."""
    x0, top = max(0, int(box[0])), max(0, int(box[1]))
    inside = ink[top : math.ceil(box[3]), x0 : math.ceil(box[2])]
    if np.count_nonzero(inside) < _SMALLEST_GLYPH * _SMALLEST_GLYPH:
        return None
    ys, xs = np.nonzero(inside)
    return (float(x0 + xs.min()), float(top + ys.min()), float(x0 + xs.max() + 1), float(top + ys.max() + 1))


def _missed_ink(ink: np.ndarray, rules: list[Rule], found: list[Box], unit: float) -> list[Box]:
    """Glyph-sized ink the detector left unread, each piece to be read on its
    own: a lone faded digit (a 0 beside wider numbers) is the text it misses
    most. Ink inside one ruled cell is one piece; a ruled cell the detector
    found text in is left as read, and so is any ink that touches a found box.
    """
    joined = cv2.dilate(ink, np.ones((1, max(1, int(_GLYPH_JOIN * unit))), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    found_boxes = np.array(found, dtype=np.float64).reshape(-1, 4)
    cells = [cell.box for grid in find_grids(rules, unit) for cell in grid.cells]
    pieces: dict[tuple[str, int], Box] = {}
    for index, (x, y, w, h, _area) in enumerate(stats[1:count]):
        if not _SMALLEST_GLYPH <= h <= _LARGEST_GLYPH * unit:
            continue
        touches = (found_boxes[:, 0] <= x + w) & (found_boxes[:, 2] >= x) & (found_boxes[:, 1] <= y + h) & (found_boxes[:, 3] >= y)
        if touches.any():
            continue
        box = _ink_box(ink, (float(x), float(y), float(x + w), float(y + h)))
        if box is None:
            continue
        cx, cy = x + w / 2, y + h / 2
        cell = next((i for i, c in enumerate(cells) if c[0] <= cx <= c[2] and c[1] <= cy <= c[3]), None)
        if cell is None:
            pieces[("ink", index)] = box
            continue
        x0, top, x1, bottom = cells[cell]
        if any(x0 <= (b[0] + b[2]) / 2 <= x1 and top <= (b[1] + b[3]) / 2 <= bottom for b in found):
            continue
        known = pieces.get(("cell", cell))
        pieces[("cell", cell)] = box if known is None else (
            min(known[0], box[0]), min(known[1], box[1]), max(known[2], box[2]), max(known[3], box[3])
        )
    return list(pieces.values())


def _read(image: np.ndarray, ink: np.ndarray, pieces: list[Box], engine: OcrEngine, margin: float) -> list[tuple[Box, str, float]]:
    """Each piece with its text and confidence.

    A piece read with too little confidence is read once more from its ink
    alone: a detector box a few pixels loose leaves a lone 0 small in its
    crop, where it reads as "O" (0.40), and cropped to its ink as "0" (0.93).
    """
    readings = engine.recognize([_crop(image, piece, margin) for piece in pieces])
    read = [(piece, text, confidence) for piece, (text, confidence) in zip(pieces, readings, strict=True)]
    doubtful = {index: _ink_box(ink, piece) for index, (piece, _, confidence) in enumerate(read) if confidence < MIN_CONFIDENCE}
    tight = {index: box for index, box in doubtful.items() if box is not None and box != read[index][0]}
    again = engine.recognize([_crop(image, box, margin) for box in tight.values()])
    for (index, box), (text, confidence) in zip(tight.items(), again, strict=True):
        if confidence > read[index][2]:
            read[index] = (box, text, confidence)
    return read


def _is_upside_down(image: np.ndarray, boxes: list[Box], engine: OcrEngine, margin: float) -> bool:
    lines = sorted(boxes, key=lambda b: (b[2] - b[0]) / max(b[3] - b[1], 1.0), reverse=True)
    lines = [b for b in lines[:_ORIENTATION_SAMPLE] if b[2] - b[0] > 2 * (b[3] - b[1])]
    if not lines:
        return False
    votes = engine.upside_down([_crop(image, b, margin) for b in lines])
    return sum(v > 0.5 for v in votes) >= _UPSIDE_DOWN_SHARE * len(votes)


def read_page(image: np.ndarray, engine: OcrEngine, unit: float | None) -> PageText:
    """OCR one page image (RGB or grey).

    ``unit`` is pixels per PDF point, or None to measure it from the text.
    """
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    quarter_turns, skew = estimate_orientation(gray)
    matrix, width, height = _affine(gray, quarter_turns, skew)
    straight = cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    unit = unit or estimate_unit(straight) or DEFAULT_DPI / 72
    margin = _CROP_MARGIN * unit
    rules, mask = find_rules(straight, unit)
    clean = straight.copy()
    clean[cv2.dilate(mask, np.ones((3, 3), np.uint8)) > 0] = 255
    colour = cv2.cvtColor(clean, cv2.COLOR_GRAY2BGR)
    ink = _ink(clean)
    boxes = _detect(colour, ink, engine, unit)
    if _is_upside_down(colour, boxes, engine, margin):
        matrix = _half_turn(matrix, width, height)
        colour = np.ascontiguousarray(colour[::-1, ::-1])
        ink = np.ascontiguousarray(ink[::-1, ::-1])
        boxes = [(width - 1 - b[2], height - 1 - b[3], width - 1 - b[0], height - 1 - b[1]) for b in boxes]
        rules = [Rule((width - 1 - r.box[2], height - 1 - r.box[3], width - 1 - r.box[0], height - 1 - r.box[1])) for r in rules]
    pieces = [piece for box in boxes for piece in _split_at_rules(box, rules, margin)]
    pieces += _missed_ink(ink, rules, pieces, unit)
    words = [
        Word(text.strip(), piece, confidence)
        for piece, text, confidence in _read(colour, ink, pieces, engine, margin)
        if text.strip() and confidence >= MIN_CONFIDENCE
    ]
    return PageText(words=words, rules=rules, width=width, height=height, unit=unit, to_source=_box_mapper(matrix))
