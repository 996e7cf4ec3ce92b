"""Many distinct reports for batch tests: the seeds' prose with random numbers, in the text layouts."""

from __future__ import annotations

import random
from pathlib import Path

from gxllm.batch.inputs import content_hash
from gxllm.fixturegen.generate import RANDOM_2019, RANDOM_2021
from gxllm.fixturegen.seeds import load_seeds, with_random_numbers
from gxllm.fixturegen.text_layouts import render
from tests.conftest import SEEDS

LAYOUTS = ("rows", "cells", "pipe", "tab")


def generate_reports(folder: Path, reports: int, sections: tuple[str, ...]) -> dict[str, dict]:
    """``reports`` reports with random numbers on the seeds' prose, in folders of 100; the gold of each
    (its ``sections``) by content hash."""
    seeds = load_seeds(SEEDS)
    names = (RANDOM_2019, *RANDOM_2021)
    golds = {}
    for i in range(reports):
        rng = random.Random(i)
        seed = seeds[names[i % len(names)]]
        variant = render(LAYOUTS[i % len(LAYOUTS)], seed.text, with_random_numbers(seed, rng), rng)
        path = folder / f"{i // 100:02d}" / f"report-{i:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(variant.text, encoding="utf-8")
        golds[content_hash(path)[0]] = {key: variant.gold.to_json()[key] for key in sections}
    assert len(golds) == reports  # every report differs, so each is one document
    return golds
