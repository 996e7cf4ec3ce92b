"""Configuration, from ``GXLLM_*`` environment variables (or a .env file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from gxllm.errors import ConfigError

LlmRuntime = Literal["none", "transformers", "llamacpp", "openai"]
OcrEngineName = Literal["rapidocr", "paddleocr"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GXLLM_", env_file=".env", extra="ignore")

    max_file_bytes: int = Field(50 * 1024 * 1024, description="larger inputs are refused")
    opencc_config: str = Field("t2s", description="OpenCC conversion applied to every text")
    cache_dir: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gxllm",
        description="models and answer caches",
    )
    # Language model (gxllm.llm): off unless a runtime is named
    llm_runtime: LlmRuntime = Field("none", description="none keeps every model out")
    llm_model: str = Field("qwen2.5-coder-1.5b", description="a name from `gxllm models list`, a .gguf file or model folder, or the endpoint's model name")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint for llm_runtime=openai, e.g. http://localhost:8000/v1")
    llm_api_key: str = Field("none", description="key for the OpenAI-compatible endpoint")
    llm_timeout_s: float = Field(180.0, description="longest one model answer may take")
    llm_max_retries: int = Field(1, description="re-asks after an answer that fails validation")
    llm_table_choices: bool = Field(
        False,
        description="let the model choose among the readings a table's sums leave open (off: the 1.5B model chose "
        "worse than leaving those cells null on fixtures/real)",
    )
    # PDFs and scans (gxllm.read.pdf, gxllm.read.image, gxllm.ocr)
    max_pages: int = Field(300, description="PDFs and TIFFs with more pages are refused")
    max_page_pixels: int = Field(60_000_000, description="a page image (or a PDF page at ocr_dpi) larger than this is refused")
    max_inflated_bytes: int = Field(
        256 * 1024 * 1024,
        description="a PDF whose compressed streams (contents, fonts, object streams; not image pixels) inflate to more in all is refused as a decompression bomb",
    )
    ocr_dpi: int = Field(200, description="resolution PDF pages without a text layer are rendered at for OCR")
    ocr_engine: OcrEngineName = Field("rapidocr", description="OCR engine: rapidocr runs PP-OCR models shipped in its wheel; paddleocr needs ocr_model_dir")
    ocr_model_dir: Path | None = Field(None, description="paddleocr's model folders (det, rec, textline_ori), written by `gxllm ocr paddle-models DIR`")
    ocr_threads: int = Field(2, description="CPU threads for OCR inference")
    # Batches and upload jobs (gxllm.batch, gxllm.service.jobs)
    document_timeout_s: float = Field(900.0, gt=0, description="longest one document may take to extract, in a batch (its --timeout) and in an upload job")
    upload_workers: int = Field(2, ge=1, description="worker processes extracting uploads in the web app")

    def without_model(self) -> Settings:
        """These settings with no language model, whatever the environment configures (``--no-llm``)."""
        return self.model_copy(update={"llm_runtime": "none"})


def get_settings(*, no_llm: bool = False) -> Settings:
    """The settings of the environment (and .env), read where a user comes in: the commands, the web
    app's factory, the Python API. Everything below is handed them. ``no_llm`` keeps any language
    model out (``--no-llm``). A value that is not allowed is a :class:`ConfigError` naming its variable."""
    try:
        settings = Settings()
    except ValidationError as error:
        problem = error.errors()[0]
        variable = "GXLLM_" + "_".join(str(part) for part in problem["loc"]).upper()
        raise ConfigError(f"{variable}={problem['input']!r}: {problem['msg']}") from None
    return settings.without_model() if no_llm else settings
