"""Configuration, from ``GXLLM_*`` environment variables (or a .env file)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GXLLM_", env_file=".env", extra="ignore")

    max_file_bytes: int = Field(50 * 1024 * 1024, description="larger inputs are refused")
    opencc_config: str = Field("t2s", description="OpenCC conversion applied to every text")
    cache_dir: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "gxllm",
        description="models and answer caches",
    )


def get_settings() -> Settings:
    return Settings()
