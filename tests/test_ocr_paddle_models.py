"""PaddleOCR's model folders from the rapidocr wheel, and the paddleocr engine's
errors: none of this needs paddleocr installed."""

from __future__ import annotations

import sys
from pathlib import Path

import onnxruntime as ort
import pytest
import rapidocr
import yaml
from typer.testing import CliRunner

from gxllm.cli import app
from gxllm.errors import ConfigError
from gxllm.ocr import get_engine
from gxllm.ocr.paddle import PaddleOcrEngine, model_folders
from gxllm.ocr.paddle_models import YAML_LOADER, write_paddle_models
from gxllm.settings import Settings, get_settings

WHEEL_MODELS = Path(rapidocr.__file__).parent / "models"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("paddle-models")
    write_paddle_models(target)
    return target


def _config(models: Path, folder: str) -> dict:
    return yaml.load((models / folder / "inference.yml").read_text(encoding="utf-8"), Loader=YAML_LOADER)


def test_folders_hold_the_wheel_models_byte_for_byte(models: Path) -> None:
    assert sorted(p.name for p in models.iterdir()) == ["det", "rec", "textline_ori"]
    for folder, wheel_file in [
        ("det", "PP-OCRv6_det_small.onnx"),
        ("rec", "PP-OCRv6_rec_small.onnx"),
        ("textline_ori", "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
    ]:
        assert sorted(p.name for p in (models / folder).iterdir()) == ["inference.onnx", "inference.yml"]
        assert (models / folder / "inference.onnx").read_bytes() == (WHEEL_MODELS / wheel_file).read_bytes()


def test_configs_name_paddlex_models_and_carry_rapidocr_processing(models: Path) -> None:
    det, rec, cls = (_config(models, f) for f in ("det", "rec", "textline_ori"))
    assert det["Global"]["model_name"] == "PP-OCRv6_small_det"
    assert rec["Global"]["model_name"] == "PP-OCRv6_small_rec"
    assert cls["Global"]["model_name"] == "PP-LCNet_x0_25_textline_ori"
    post = det["PostProcess"]
    assert (post["name"], post["thresh"], post["box_thresh"], post["unclip_ratio"], post["use_dilation"]) == ("DBPostProcess", 0.3, 0.5, 1.6, True)
    assert rec["PreProcess"]["transform_ops"][1] == {"RecResizeImg": {"image_shape": [3, 48, 64]}}
    assert cls["PostProcess"]["Topk"]["label_list"] == ["0", "180"]


def test_character_list_is_the_recognisers_own(models: Path) -> None:
    session = ort.InferenceSession(str(WHEEL_MODELS / "PP-OCRv6_rec_small.onnx"), providers=["CPUExecutionProvider"])
    characters = _config(models, "rec")["PostProcess"]["character_dict"]
    # The model's classes: CTC's blank, these characters, and a space.
    assert len(characters) + 2 == session.get_outputs()[0].shape[-1] == 18710
    assert characters == session.get_modelmeta().custom_metadata_map["character"].splitlines()
    assert characters[:3] == ["!", '"', "#"] and "政" in characters


def test_writing_again_replaces_the_folders_and_leaves_nothing_else(tmp_path: Path) -> None:
    write_paddle_models(tmp_path)
    (tmp_path / "det" / "stale.txt").write_text("old", encoding="utf-8")
    folders = write_paddle_models(tmp_path)
    assert folders == [tmp_path / "det", tmp_path / "rec", tmp_path / "textline_ori"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["det", "rec", "textline_ori"]
    assert not (tmp_path / "det" / "stale.txt").exists()


def test_command_writes_the_folders(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ocr", "paddle-models", str(tmp_path / "models")])
    assert result.exit_code == 0, result.output
    assert model_folders(tmp_path / "models")["rec"] == ("PP-OCRv6_small_rec", tmp_path / "models" / "rec")
    assert f"GXLLM_OCR_MODEL_DIR={tmp_path / 'models'}" in result.output


def test_command_refuses_a_file_in_one_line_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "models"
    target.write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["ocr", "paddle-models", str(target)])
    assert result.exit_code == 1
    assert result.output.strip() == f"gxllm: {target}: is a file, not a folder to write the model folders into"
    assert target.read_text(encoding="utf-8") == "mine"


def test_engine_without_model_dir_names_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"set GXLLM_OCR_MODEL_DIR \(write them with `gxllm ocr paddle-models DIR`\)"):
        get_engine(Settings(ocr_engine="paddleocr", ocr_model_dir=None))


def test_incomplete_folders_are_named(tmp_path: Path) -> None:
    write_paddle_models(tmp_path / "models")
    (tmp_path / "models" / "textline_ori" / "inference.yml").unlink()
    with pytest.raises(ConfigError, match=rf"GXLLM_OCR_MODEL_DIR={tmp_path / 'models'}: textline_ori/inference.yml is missing"):
        model_folders(tmp_path / "models")
    (tmp_path / "models" / "rec" / "inference.onnx").unlink()
    with pytest.raises(ConfigError, match="rec/inference.onnx is missing"):
        model_folders(tmp_path / "models")
    with pytest.raises(ConfigError, match="det/inference.onnx is missing"):
        model_folders(tmp_path / "empty")


def test_config_without_model_name_is_refused(tmp_path: Path) -> None:
    write_paddle_models(tmp_path)
    (tmp_path / "det" / "inference.yml").write_text("PreProcess: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"det/inference.yml names no model \(Global.model_name\)"):
        model_folders(tmp_path)


def test_engine_without_paddleocr_says_what_to_install(models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes the import fail as if the package were absent.
    monkeypatch.setitem(sys.modules, "paddleocr", None)
    with pytest.raises(ConfigError, match=r"^GXLLM_OCR_ENGINE=paddleocr needs the paddleocr package .*: pip install 'gxllm\[paddleocr\]'$"):
        PaddleOcrEngine(models)


def test_unknown_engine_lists_both(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GXLLM_OCR_ENGINE", "tesseract")
    with pytest.raises(ConfigError, match=r"^GXLLM_OCR_ENGINE='tesseract': Input should be 'rapidocr' or 'paddleocr'$"):
        get_settings()
