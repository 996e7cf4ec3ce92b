"""RapidOCR: PP-OCR's detector, recogniser and line classifier as ONNX models
shipped inside the ``rapidocr`` wheel, run by onnxruntime on the CPU."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gxllm.ocr.sessions import cpu_session

# Images are detected at the size given (callers scale them; the detector only
# rounds sides to multiples of 32), up to this longest side.
DETECT_MAX_SIDE = 4096
# Recognition input: crops are scaled to this height, then padded (grey, as in
# PP-OCR's training) to a common width per batch. Cost grows with the padded
# width, and reading depends on it, as measured on 881 table-cell crops of the
# fixture scans against reading each at PP-OCR's default 320 px:
# - a crop at most RECOGNIZE_MIN_WIDTH wide (a lone digit) reads best padded
#   to exactly that: at 72-80 px a lone 0 read as "o" twice as often;
# - a short crop (a two-character column header) misread with little
#   padding (纠正 as 纯) and read right padded to SHORT_TEXT_WIDTH;
# - a long line (prose, ~1100 px) needs no padding, and is most of the cost.
RECOGNIZE_HEIGHT = 48
RECOGNIZE_MIN_WIDTH = 64
SHORT_TEXT_WIDTH = 160
# Crops are batched with others whose padded width is at most this much
# larger. (Batched by count alone, a page's crops were padded to 1.3-1.7
# times their own width: a digit cell to a sentence.)
RECOGNIZE_WIDTH_SPREAD = 1.25
# A batch holds at most this many padded columns: the model's working memory
# grows with them (16 prose lines of 1300 px took 600 MB), its speed per
# column no longer does beyond a few lines.
RECOGNIZE_BATCH_COLUMNS = 4096

_TASKS = ("Det", "Cls", "Rec")


def padded_width(crop: np.ndarray) -> int:
    """The width (at RECOGNIZE_HEIGHT) a crop is best read padded to."""
    width = math.ceil(RECOGNIZE_HEIGHT * crop.shape[1] / max(crop.shape[0], 1))
    return RECOGNIZE_MIN_WIDTH if width <= RECOGNIZE_MIN_WIDTH else max(width, SHORT_TEXT_WIDTH)


def width_batches(crops: Sequence[np.ndarray]) -> list[list[int]]:
    """Indices of ``crops`` in recognition batches of similar padded width,
    narrowest first. Lone digits (all padded to RECOGNIZE_MIN_WIDTH) never share
    a batch with anything wider: every other crop pads to SHORT_TEXT_WIDTH or more."""
    widths = [padded_width(crop) for crop in crops]
    batches: list[list[int]] = []
    for index in sorted(range(len(crops)), key=widths.__getitem__):
        batch = batches[-1] if batches else []
        # Sorted by width, the crop added is the widest: the batch pads to it.
        too_many = (len(batch) + 1) * widths[index] > RECOGNIZE_BATCH_COLUMNS
        if not batch or too_many or widths[index] > RECOGNIZE_WIDTH_SPREAD * widths[batch[0]]:
            batches.append([index])
        else:
            batch.append(index)
    return batches


def bundled_model(section: Any, model_root: Path) -> Path:
    """The ONNX file under ``model_root`` for a task section (Det, Cls, Rec) of
    RapidOCR's config: the wheel ships them in its ``models`` folder."""
    from rapidocr.inference_engine.base import FileInfo, InferSession

    url = InferSession.get_model_url(
        FileInfo(
            engine_type=section.engine_type,
            ocr_version=section.ocr_version,
            task_type=section.task_type,
            lang_type=section.lang_type,
            model_type=section.model_type,
        )
    )["model_dir"]
    return model_root / Path(url).name


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int = 2) -> None:
        from omegaconf import flag_override
        from rapidocr import RapidOCR

        self._ocr = RapidOCR(
            params={
                "Global.log_level": "warning",
                "Global.use_cls": False,
                "Det.limit_type": "max",
                "Det.limit_side_len": DETECT_MAX_SIDE,
                "Rec.rec_img_shape": [3, RECOGNIZE_HEIGHT, RECOGNIZE_MIN_WIDTH],
            }
        )
        # RapidOCR takes a ready onnxruntime session under each task's
        # ``session`` key (its own hook for custom sessions): ours turn off
        # spinning and keep the memory arena, which its options cannot. Its
        # OmegaConf config holds such objects only with allow_objects.
        config = self._ocr.cfg
        with flag_override(config, "allow_objects", True):
            for task in _TASKS:
                section = config[task]
                section.session = cpu_session(bundled_model(section, Path(config.Global.model_root_dir)), threads)
        # Loaded now, once per process, rather than inside the first page
        # (RapidOCR loads each model on first use).
        self._ocr._load_det_model()
        self._ocr._load_rec_model()
        self._ocr._load_cls_model()

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        result = self._ocr.text_det(image)
        return [] if result.boxes is None else [np.asarray(b, dtype=np.float32) for b in result.boxes]

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        # RapidOCR's own scaling, model and decoding, in our batches: its
        # recogniser pads every batch to at least one fixed width.
        recogniser = self._ocr.text_rec
        readings: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for batch in width_batches(crops):
            ratio = max(padded_width(crops[i]) for i in batch) / RECOGNIZE_HEIGHT
            images = np.stack([recogniser.resize_norm_img(crops[i], ratio) for i in batch])
            lines, _ = recogniser.postprocess_op(recogniser.session(images))
            for index, (text, score) in zip(batch, lines, strict=True):
                readings[index] = (text, float(score))
        return readings

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[float]:
        if not crops:
            return []
        _, result = self._ocr.cls_and_rotate(list(crops))
        return [score if "180" in label else 1.0 - score for label, score in result.cls_res]
