"""Model install and resolution, on small chunk packages made in a temporary site folder."""

from __future__ import annotations

import hashlib
import sys

import pytest
from typer.testing import CliRunner

from gxllm.cli import app
from gxllm.llm import models
from gxllm.llm.errors import ModelCheckFailed, ModelNotInstalled
from gxllm.llm.models import CatalogueModel, install, resolve, statuses
from gxllm.settings import Settings

PARTS = [b"GGUF" + b"a" * 60, b"b" * 64, b"c" * 17]


def _make_chunk_packages(site, package="tiny-model-part", version="1.0.0", parts=PARTS):
    """Installed distributions laid out as pip lays out the real chunk packages."""
    for number, data in enumerate(parts, start=1):
        module = f"{package.replace('-', '_')}{number}"
        (site / module / "data").mkdir(parents=True)
        (site / module / "data" / f"part{number:02d}.bin").write_bytes(data)
        info = site / f"{module}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}{number}\nVersion: {version}\n")
        (info / "RECORD").write_text(f"{module}/__init__.py,,\n{module}/data/part{number:02d}.bin,,\n")


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    _make_chunk_packages(site)
    monkeypatch.syspath_prepend(str(site))
    joined = b"".join(PARTS)
    model = CatalogueModel(
        name="tiny",
        summary="three chunks",
        extra="model-tiny",
        package="tiny-model-part",
        parts=3,
        version="1.0.0",
        size=len(joined),
        sha256=hashlib.sha256(joined).hexdigest(),
    )
    monkeypatch.setitem(models.CATALOGUE, "tiny", model)
    return model, Settings(cache_dir=tmp_path / "cache"), joined


def test_install_joins_the_chunks_in_order_and_checks_them(tiny):
    model, settings, joined = tiny
    path = install("tiny", "llamacpp", settings)
    assert path == settings.cache_dir / "models" / "tiny" / "model.gguf"
    assert path.read_bytes() == joined
    files = resolve("tiny", "llamacpp", settings)
    assert files.path == path and files.identity == f"tiny@{model.sha256[:16]}"
    [status] = [s for s in statuses(settings) if s.name == "tiny"]
    assert status.chunks_installed and status.gguf == path and status.safetensors is None


def test_a_checksum_mismatch_leaves_nothing_behind(tiny, monkeypatch):
    model, settings, _ = tiny
    monkeypatch.setitem(models.CATALOGUE, "tiny", CatalogueModel(**{**model.__dict__, "sha256": "0" * 64}))
    with pytest.raises(ModelCheckFailed, match="expected 145 bytes with sha256 0000"):
        install("tiny", "llamacpp", settings)
    assert list((settings.cache_dir / "models" / "tiny").iterdir()) == []


def test_a_missing_or_other_version_chunk_package_says_what_to_install(tiny, monkeypatch):
    model, settings, _ = tiny
    monkeypatch.setitem(models.CATALOGUE, "tiny", CatalogueModel(**{**model.__dict__, "parts": 4}))
    with pytest.raises(ModelNotInstalled, match=r"tiny-model-part4 is not installed: pip install 'gxllm\[model-tiny\]'"):
        install("tiny", "llamacpp", settings)
    monkeypatch.setitem(models.CATALOGUE, "tiny", CatalogueModel(**{**model.__dict__, "version": "2.0.0"}))
    with pytest.raises(ModelCheckFailed, match="version 1.0.0, not the pinned 2.0.0"):
        install("tiny", "llamacpp", settings)


def test_a_model_not_installed_for_the_runtime_says_how_to_install_it(tiny):
    _, settings, _ = tiny
    with pytest.raises(ModelNotInstalled) as raised:
        resolve("tiny", "transformers", settings)
    assert str(raised.value) == (
        "model tiny is not installed for the transformers runtime:"
        " pip install 'gxllm[model-tiny]' && gxllm models install tiny --runtime transformers"
    )
    with pytest.raises(ModelNotInstalled, match="no model named 'qwen-7b': use one of .*tiny, or the path"):
        resolve("qwen-7b", "llamacpp", settings)


def test_models_named_by_path_are_gguf_files_or_safetensors_folders(tmp_path):
    settings = Settings(cache_dir=tmp_path / "cache")
    gguf = tmp_path / "big.gguf"
    gguf.write_bytes(b"GGUF")
    files = resolve(str(gguf), "llamacpp", settings)
    assert files.path == gguf and files.identity.startswith(f"{gguf}@4:")
    folder = tmp_path / "Qwen2.5-7B-Instruct"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(ModelNotInstalled, match="needs config.json and \\*.safetensors"):
        resolve(str(folder), "transformers", settings)
    (folder / "model.safetensors").write_bytes(b"x")
    assert resolve(str(folder), "transformers", settings).path == folder
    with pytest.raises(ModelNotInstalled, match="loads a .gguf file, not a folder"):
        resolve(str(folder), "llamacpp", settings)
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"x")
    with pytest.raises(ModelNotInstalled, match="must be .gguf"):
        resolve(str(weights), "transformers", settings)


def test_models_commands_install_and_list(tiny, monkeypatch):
    _, settings, _ = tiny
    monkeypatch.setenv("GXLLM_CACHE_DIR", str(settings.cache_dir))
    runner = CliRunner()
    empty = runner.invoke(app, ["models", "list"])
    assert empty.exit_code == 0
    assert "tiny  ready for: nothing yet  (chunks installed)" in empty.output
    assert "none installed: pip install 'gxllm[model-1-5b]' && gxllm models install qwen2.5-coder-1.5b" in empty.output
    installed = runner.invoke(app, ["models", "install", "tiny", "--runtime", "llamacpp"])
    assert installed.exit_code == 0 and "models/tiny/model.gguf (llamacpp," in installed.output.replace("\n", "")
    assert "tiny  ready for: llamacpp" in runner.invoke(app, ["models", "list"]).output
    unknown = runner.invoke(app, ["models", "install", "nope"])
    assert unknown.exit_code == 1 and "no model named 'nope'" in unknown.output


def test_chunk_packages_are_read_as_files_never_imported(tiny):
    model, settings, _ = tiny
    install("tiny", "llamacpp", settings)
    assert not any(name.startswith("tiny_model_part") for name in sys.modules)
