from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEEDS = FIXTURES / "seeds"


@pytest.fixture
def seed_gold():
    def load(name: str) -> dict:
        return json.loads((SEEDS / f"{name}.gold.json").read_text(encoding="utf-8"))

    return load
