"""PaddleOCR: its text detection, text recognition and text-line orientation
predictors, run by onnxruntime on model folders named in configuration.

PaddleOCR downloads its models when it is given none, which fails offline, and
its Paddle runtime crashed on these CPUs: the engine therefore always runs
``engine="onnxruntime"`` on local folders (``GXLLM_OCR_MODEL_DIR``), which
``gxllm ocr paddle-models DIR`` writes from the rapidocr wheel's models. No
paddlepaddle is needed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from gxllm.errors import ConfigError
from gxllm.ocr.paddle_models import CONFIG_FILE, DETECTOR, LINE_CLASSIFIER, MODEL_FILE, MODEL_FOLDERS, RECOGNISER, YAML_LOADER
from gxllm.ocr.rapid import DETECT_MAX_SIDE, RECOGNIZE_HEIGHT, padded_width, width_batches
from gxllm.ocr.sessions import cpu_session

_SETTING = "GXLLM_OCR_MODEL_DIR"
_WRITE_HINT = "write them with `gxllm ocr paddle-models DIR`"
# Padding of recognition crops: grey, as PP-OCR pads (0 after its
# normalisation of (x/255 - 0.5) / 0.5).
_PAD_GREY = 128


def _model_name(folder: Path) -> str:
    """The model's name in PaddleX, from the folder's inference.yml."""
    config = yaml.load((folder / CONFIG_FILE).read_text(encoding="utf-8"), Loader=YAML_LOADER)
    name = config.get("Global", {}).get("model_name") if isinstance(config, dict) else None
    if not name:
        raise ConfigError(f"{_SETTING}: {folder / CONFIG_FILE} names no model (Global.model_name); {_WRITE_HINT}")
    return str(name)


def model_folders(model_dir: Path | None) -> dict[str, tuple[str, Path]]:
    """Each predictor's (model name, folder) under ``model_dir``, checked
    complete before anything is loaded."""
    if model_dir is None:
        raise ConfigError(f"the paddleocr OCR engine needs model folders: set {_SETTING} ({_WRITE_HINT})")
    folders: dict[str, tuple[str, Path]] = {}
    for name in MODEL_FOLDERS:
        folder = model_dir / name
        missing = [f for f in (MODEL_FILE, CONFIG_FILE) if not (folder / f).is_file()]
        if missing:
            raise ConfigError(f"{_SETTING}={model_dir}: {name}/{missing[0]} is missing; {_WRITE_HINT}")
        folders[name] = (_model_name(folder), folder)
    return folders


def _fit(crop: np.ndarray, width: int) -> np.ndarray:
    """A crop scaled to the recogniser's height and padded to ``width``: the
    predictor then pads nothing more, so each batch reads at the width chosen."""
    scaled = min(width, math.ceil(RECOGNIZE_HEIGHT * crop.shape[1] / max(crop.shape[0], 1)))
    line = cv2.resize(crop, (scaled, RECOGNIZE_HEIGHT))
    return cv2.copyMakeBorder(line, 0, 0, 0, width - scaled, cv2.BORDER_CONSTANT, value=(_PAD_GREY,) * 3)


class PaddleOcrEngine:
    name = "paddleocr"

    def __init__(self, model_dir: Path | None, threads: int = 2) -> None:
        folders = model_folders(model_dir)
        # PaddleX asks model hosts whether they are reachable when it resolves
        # a model; told not to check, it never opens a connection.
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
        try:
            from paddleocr import TextDetection, TextLineOrientationClassification, TextRecognition
        except ImportError as error:
            raise ConfigError(
                f"GXLLM_OCR_ENGINE=paddleocr needs the paddleocr package ({error.name} is not installed): pip install 'gxllm[paddleocr]'"
            ) from error
        # PaddleX's onnxruntime sessions keep idle threads spinning (its
        # options cannot turn that off): recognition took a quarter more CPU
        # and, on busy shared cores, twice the time. Each is replaced by a
        # session of ours on the same file; its own is built unoptimised, to
        # load fast.
        common: dict[str, Any] = {
            "device": "cpu",
            "engine": "onnxruntime",
            "engine_config": {"intra_op_num_threads": 1, "graph_optimization_level": 0, "log_severity_level": 3},
        }

        def load(kind: type, folder: str, **options: Any) -> Any:
            model_name, path = folders[folder]
            try:
                predictor = kind(model_name=model_name, model_dir=str(path), **common, **options)
            except (ValueError, RuntimeError, OSError) as error:
                reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                raise ConfigError(f"{_SETTING}: PaddleOCR cannot load {path}: {reason}") from error
            predictor.paddlex_predictor.runner.session = cpu_session(path / MODEL_FILE, threads)
            return predictor

        # Images are detected at the size given, as with rapidocr (callers
        # scale them for the detector).
        self._detector = load(TextDetection, DETECTOR, limit_side_len=DETECT_MAX_SIDE, limit_type="max")
        self._recogniser = load(TextRecognition, RECOGNISER)
        self._classifier = load(TextLineOrientationClassification, LINE_CLASSIFIER)

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        (result,) = self._detector.predict(image, max_side_limit=DETECT_MAX_SIDE)
        return [np.asarray(quad, dtype=np.float32) for quad in result["dt_polys"]]

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        # The batches and padded widths of the rapidocr engine (measured there
        # on table cells), so both engines read a crop the same way.
        readings: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for batch in width_batches(crops):
            width = max(padded_width(crops[i]) for i in batch)
            results = self._recogniser.predict([_fit(crops[i], width) for i in batch], batch_size=len(batch))
            for index, result in zip(batch, results, strict=True):
                readings[index] = (result["rec_text"], float(result["rec_score"]))
        return readings

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[float]:
        if not crops:
            return []
        results = self._classifier.predict(list(crops), batch_size=len(crops))
        # The top label and its score: a folder may keep only the top one.
        return [
            float(r["scores"][0]) if "180" in r["label_names"][0] else 1.0 - float(r["scores"][0])
            for r in results
        ]
