"""What the language model adds to a report: seconds, tokens in and out, and the scores it moves.

Usage: python benchmarks/bench_llm.py [--runtime R ...] [--model M ...] [--gold DIR ...]

Each (runtime, model) runs in its own process, so its peak memory (the
process's own high-water mark) is its own. Every case of each gold set
(default: fixtures/real and fixtures/seeds) is extracted once with no
model and once with the model, with no answer cache: the model's stage
(``timings["llm"]``: the questions of :mod:`gxllm.llm.narrative` and
:mod:`gxllm.llm.tasks`, asked only where the rules are unsure) is the time
it adds. Both readings are scored by the harness's own measures (docs/record.md
§4 narrative F1 over problems and remedies, the theme accuracy of
THEMES.tsv where the set has one, fee.charged). Loading the model is
reported apart: it is paid once per process, not per report. A run takes
minutes per model on two cores: keep runs rare, and note the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from gxllm.evaluate.gold import load_gold_dir
from gxllm.evaluate.metrics import ItemScore, ThemeScore, score_items, score_themes
from gxllm.llm import open_client
from gxllm.memory import peak_rss_mib
from gxllm.pipeline import extract
from gxllm.record import Extraction
from gxllm.settings import Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LISTS = ("problems", "remedies")


def _scores(case, extraction: Extraction) -> tuple[ItemScore, ThemeScore | None, bool]:
    record = extraction.record
    items = sum((score_items(getattr(case.gold, n), getattr(record, n)) for n in LISTS), ItemScore())
    themes = None
    if case.themes is not None:
        themes = sum(
            (
                score_themes(getattr(case.gold, n), case.themes.get(n, []), getattr(record, n), extraction.themes.get(n, []))
                for n in LISTS
            ),
            ThemeScore(),
        )
    return items, themes, record.fee.charged == case.gold.fee.charged


def run_one(runtime_kind: str, model: str, gold_dirs: list[Path]) -> dict:
    settings = Settings(llm_runtime=runtime_kind, llm_model=model)
    started = time.perf_counter()
    llm = open_client(settings)
    assert llm is not None
    llm.cache = None  # every answer generated, none served from an earlier run
    load_s = time.perf_counter() - started
    sets = []
    for directory in gold_dirs:
        totals = {"rules": [ItemScore(), ThemeScore(), 0], "model": [ItemScore(), ThemeScore(), 0]}
        added: list[float] = []
        before = llm.usage.model_copy()
        cases = load_gold_dir(directory)
        for case in cases:
            for way, asked in (("rules", None), ("model", llm)):
                extraction = extract(case.source, settings=settings, llm=asked)
                items, themes, fee_right = _scores(case, extraction)
                totals[way][0] += items
                totals[way][1] += themes or ThemeScore()
                totals[way][2] += fee_right
            added.append(extraction.timings["llm"])
            print(f"  {case.name}: +{added[-1]:.1f} s", file=sys.stderr)
        usage = llm.usage
        documents = len(cases)
        sets.append(
            {
                "gold": str(directory.relative_to(FIXTURES.parent) if directory.is_relative_to(FIXTURES.parent) else directory),
                "documents": documents,
                "added_s_per_doc": sum(added) / documents,
                "added_s_max": max(added),
                "asked_docs": sum(1 for s in added if s > 0.05),
                "calls_per_doc": (usage.calls - before.calls) / documents,
                "tokens_in_per_doc": (usage.tokens_in - before.tokens_in) / documents,
                "tokens_out_per_doc": (usage.tokens_out - before.tokens_out) / documents,
                **{
                    f"{way}_{name}": value
                    for way, (items, themes, fees) in totals.items()
                    for name, value in (
                        ("f1", items.f1),
                        ("themes", themes.accuracy),
                        ("fees", f"{fees}/{documents}"),
                    )
                },
            }
        )
    return {"runtime": runtime_kind, "model": model, "load_s": load_s, "peak_mib": peak_rss_mib(), "sets": sets}


def _cell(value: object, width: int) -> str:
    if isinstance(value, float):
        return f"{value:>{width}.2f}"
    return f"{'n/a' if value is None else value!s:>{width}}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", action="append", choices=["llamacpp", "transformers", "openai"])
    parser.add_argument("--model", action="append")
    parser.add_argument("--gold", action="append", type=Path)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a child run: one runtime, one model
    args = parser.parse_args()
    runtimes = args.runtime or ["llamacpp"]
    models = args.model or ["qwen2.5-coder-1.5b"]
    gold_dirs = args.gold or [FIXTURES / "real", FIXTURES / "seeds"]
    if args.one:
        print(json.dumps(run_one(runtimes[0], models[0], gold_dirs)))
        return
    columns = [
        ("gold", 16), ("docs", 5), ("asked", 6), ("+s/doc", 7), ("+s max", 7), ("calls", 6), ("tok in", 7), ("tok out", 8),
        ("F1 rules", 9), ("F1 model", 9), ("themes rules", 13), ("themes model", 13), ("fees rules", 11), ("fees model", 11),
    ]
    keys = [
        "gold", "documents", "asked_docs", "added_s_per_doc", "added_s_max", "calls_per_doc", "tokens_in_per_doc",
        "tokens_out_per_doc", "rules_f1", "model_f1", "rules_themes", "model_themes", "rules_fees", "model_fees",
    ]
    print(f"load average {os.getloadavg()[0]:.1f} on {len(os.sched_getaffinity(0))} cores", file=sys.stderr)
    for runtime_kind in runtimes:
        for model in models:
            child = [sys.executable, __file__, "--one", "--runtime", runtime_kind, "--model", model]
            child += [arg for directory in gold_dirs for arg in ("--gold", str(directory))]
            result = json.loads(subprocess.run(child, check=True, stdout=subprocess.PIPE, text=True).stdout)
            print(f"{runtime_kind} {model}: load {result['load_s']:.1f} s, peak {result['peak_mib']:.0f} MiB")
            print("".join(f"{name:>{width}}" for name, width in columns))
            for row in result["sets"]:
                print("".join(_cell(row[key], width) for key, (_, width) in zip(keys, columns, strict=True)))
    print(f"load average {os.getloadavg()[0]:.1f} at the end", file=sys.stderr)


if __name__ == "__main__":
    main()
