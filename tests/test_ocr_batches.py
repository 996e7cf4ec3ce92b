"""Recognition batches: crops of similar width together, lone digits apart."""

from __future__ import annotations

import numpy as np

from gxllm.ocr.rapid import (
    RECOGNIZE_BATCH_COLUMNS,
    RECOGNIZE_MIN_WIDTH,
    RECOGNIZE_WIDTH_SPREAD,
    SHORT_TEXT_WIDTH,
    padded_width,
    width_batches,
)


def _crop(width: int, height: int = 48) -> np.ndarray:
    return np.zeros((height, width, 3), dtype=np.uint8)


def test_padded_widths() -> None:
    assert padded_width(_crop(30)) == RECOGNIZE_MIN_WIDTH
    assert padded_width(_crop(64)) == RECOGNIZE_MIN_WIDTH
    assert padded_width(_crop(65)) == SHORT_TEXT_WIDTH
    assert padded_width(_crop(1100)) == 1100
    # Measured at the recogniser's height: a 24-px-high crop is scaled up twice.
    assert padded_width(_crop(550, 24)) == 1100


def test_a_page_of_cells_and_lines_is_batched_by_width() -> None:
    widths = [40] * 20 + [90, 70, 300, 320, 1000, 1100, 1190, 1300] + [35] * 3 + [1250] * 4
    crops = [_crop(w) for w in widths]
    batches = width_batches(crops)
    assert sorted(i for batch in batches for i in batch) == list(range(len(crops)))
    for batch in batches:
        padded = [padded_width(crops[i]) for i in batch]
        assert len(batch) * max(padded) <= RECOGNIZE_BATCH_COLUMNS
        assert max(padded) <= RECOGNIZE_WIDTH_SPREAD * min(padded)
        # A lone digit is padded to the minimum width, never to a wider neighbour's.
        assert all(p == RECOGNIZE_MIN_WIDTH for p in padded) or RECOGNIZE_MIN_WIDTH not in padded
    assert [[widths[i] for i in batch] for batch in batches] == [
        [40] * 20 + [35] * 3,
        [90, 70],
        [300, 320],
        [1000, 1100, 1190],
        [1250, 1250, 1250],
        [1250, 1300],
    ]


def test_no_crops_no_batches() -> None:
    assert width_batches([]) == []
