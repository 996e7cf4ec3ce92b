"""RapidOCR: PP-OCR's detector, recogniser and line classifier as ONNX models
shipped inside the ``rapidocr`` wheel, run by onnxruntime on the CPU."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# A 200-dpi A4 page is detected at this longest side: text stays ~13 px high,
# which the detector finds reliably, at a third of the full-size cost.
DETECT_SIDE = 1280
# Crops are padded to the widest in their batch and to at least this width:
# the default 320 makes every one-digit table cell cost as much as a sentence.
RECOGNIZE_MIN_WIDTH = 64
RECOGNIZE_BATCH = 16


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int = 2) -> None:
        from rapidocr import RapidOCR

        self._ocr = RapidOCR(
            params={
                "Global.log_level": "warning",
                "Global.use_cls": False,
                "Det.limit_type": "max",
                "Det.limit_side_len": DETECT_SIDE,
                "Rec.rec_batch_num": RECOGNIZE_BATCH,
                "Rec.rec_img_shape": [3, 48, RECOGNIZE_MIN_WIDTH],
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        result = self._ocr(image, use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(result, "boxes", None)
        return [] if boxes is None else [np.asarray(b, dtype=np.float32) for b in boxes]

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        result = self._ocr.recognize_txt(list(crops))
        return [(text, float(score)) for text, score in zip(result.txts, result.scores, strict=True)]

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[float]:
        if not crops:
            return []
        _, result = self._ocr.cls_and_rotate(list(crops))
        return [score if "180" in label else 1.0 - score for label, score in result.cls_res]
