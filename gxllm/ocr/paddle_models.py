"""PaddleOCR model folders written from the ONNX models inside the rapidocr wheel.

PaddleOCR (through PaddleX) reads a model from a folder holding
``inference.onnx`` and an ``inference.yml`` that names the model and gives its
pre- and post-processing. Without such folders it downloads its models, which
fails offline. The rapidocr wheel ships the same PP-OCR detector and
recogniser as ONNX files (the recogniser's character list inside the file), so
the folders are written here from those files, with the processing RapidOCR
applies to them: both engines then run the same models the same way.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from gxllm.ocr.rapid import RECOGNIZE_HEIGHT, RECOGNIZE_MIN_WIDTH, bundled_model

# The folders the paddleocr engine reads, inside the configured model folder.
DETECTOR, RECOGNISER, LINE_CLASSIFIER = "det", "rec", "textline_ori"
MODEL_FOLDERS = (DETECTOR, RECOGNISER, LINE_CLASSIFIER)
MODEL_FILE, CONFIG_FILE = "inference.onnx", "inference.yml"
# PaddleX runs a line classifier only under one of the names it knows. The
# file is PP-OCR's ch_ppocr_mobile_v2.0_cls (rapidocr's), not this PP-LCNet:
# same task, same two labels, its own input size and normalisation below.
LINE_CLASSIFIER_NAME = "PP-LCNet_x0_25_textline_ori"
# libyaml where PyYAML has it: the recogniser's character list (18,708
# entries) takes seconds to write or read in pure Python.
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _rapidocr_config() -> Any:
    from rapidocr.main import DEFAULT_CFG_PATH
    from rapidocr.utils.parse_parameters import ParseParams

    return ParseParams.load(DEFAULT_CFG_PATH)


def _paddlex_name(section: Any) -> str:
    """PaddleX's name for a PP-OCR detector or recogniser: PP-OCRv6_small_det."""
    return f"{section.ocr_version.value}_{section.model_type.value}_{section.task_type.value}"


def _detector_config(det: Any) -> dict[str, Any]:
    return {
        "Global": {"model_name": _paddlex_name(det)},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                # Sizes are the caller's: the engine passes them at load.
                {"DetResizeForTest": None},
                {"NormalizeImage": {"mean": list(det.mean), "std": list(det.std), "scale": 1 / 255, "order": "hwc"}},
                {"ToCHWImage": None},
            ]
        },
        "PostProcess": {
            "name": "DBPostProcess",
            "thresh": det.thresh,
            "box_thresh": det.box_thresh,
            "max_candidates": det.max_candidates,
            "unclip_ratio": det.unclip_ratio,
            "use_dilation": det.use_dilation,
            "score_mode": det.score_mode,
            "box_type": "quad",
        },
    }


def _characters(model: Path) -> list[str]:
    """The recogniser's character list, stored in the ONNX file's metadata."""
    import onnxruntime as ort

    # Read, not run: an unoptimised session loads in a third of the time.
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    return session.get_modelmeta().custom_metadata_map["character"].splitlines()


def _recogniser_config(rec: Any, model: Path) -> dict[str, Any]:
    return {
        "Global": {"model_name": _paddlex_name(rec)},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                # The narrowest a crop is padded to: the engine pads wider
                # crops itself, to the widths rapid.padded_width measured.
                {"RecResizeImg": {"image_shape": [3, RECOGNIZE_HEIGHT, RECOGNIZE_MIN_WIDTH]}},
            ]
        },
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": _characters(model)},
    }


def _classifier_config(cls: Any) -> dict[str, Any]:
    _, height, width = cls.cls_image_shape
    return {
        "Global": {"model_name": LINE_CLASSIFIER_NAME},
        "PreProcess": {
            "transform_ops": [
                {"ResizeImage": {"size": [width, height]}},
                {"NormalizeImage": {"mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "scale": 1 / 255, "order": ""}},
                {"ToCHWImage": None},
            ]
        },
        "PostProcess": {"Topk": {"topk": len(cls.label_list), "label_list": list(cls.label_list)}},
    }


def _write_folder(folder: Path, model: Path, config: dict[str, Any]) -> None:
    """One model folder, written beside its final place and moved there whole."""
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        shutil.copyfile(model, staging / MODEL_FILE)
        (staging / CONFIG_FILE).write_text(yaml.dump(config, Dumper=YAML_DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp's folders are private
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_paddle_models(target: Path) -> list[Path]:
    """Write the detector, recogniser and line-classifier folders into ``target``
    (replacing earlier ones); the folders written."""
    import rapidocr

    config = _rapidocr_config()
    models = Path(rapidocr.__file__).parent / "models"
    target.mkdir(parents=True, exist_ok=True)
    rec_model = bundled_model(config.Rec, models)
    folders = {
        DETECTOR: (bundled_model(config.Det, models), _detector_config(config.Det)),
        RECOGNISER: (rec_model, _recogniser_config(config.Rec, rec_model)),
        LINE_CLASSIFIER: (bundled_model(config.Cls, models), _classifier_config(config.Cls)),
    }
    for name, (model, folder_config) in folders.items():
        _write_folder(target / name, model, folder_config)
    return [target / name for name in folders]
