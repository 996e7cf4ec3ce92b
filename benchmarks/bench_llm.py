"""Seconds per document, tokens in and out, peak memory and narrative F1, per runtime and model.

Usage: python benchmarks/bench_llm.py [--runtime R ...] [--model M ...] [--seeds DIR]

Each (runtime, model) runs in its own process, so its peak memory (the
process's maximum resident set) is its own. Every seed report goes through
read → normalise → segment → rule narrative → :func:`refine_narrative`,
with no answer cache, and is scored against its gold record by the
harness's own item matching (docs/record.md §4): narrative F1 is micro-averaged
over problems and remedies. The rules-only figure is printed beside it.
A full run takes minutes per model on two cores: keep runs rare.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from gxllm.evaluate.metrics import ItemScore, score_items
from gxllm.llm.client import LlmClient
from gxllm.llm.runtimes import load_runtime
from gxllm.llm.tasks import refine_narrative
from gxllm.memory import peak_rss_mib
from gxllm.narrative import Narrative, extract_narrative
from gxllm.normalize import normalize
from gxllm.read import load_source, read_document
from gxllm.segment import segment
from gxllm.settings import Settings

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def _score(narrative: Narrative, gold: dict) -> tuple[ItemScore, bool]:
    items = score_items(gold["problems"], narrative.problems) + score_items(gold["remedies"], narrative.remedies)
    return items, narrative.fee.model_dump() == gold["fee"]


def run_one(runtime_kind: str, model: str, seeds: Path) -> dict:
    settings = Settings(llm_runtime=runtime_kind, llm_model=model)
    started = time.perf_counter()
    llm = LlmClient(load_runtime(settings), cache=None, max_retries=settings.llm_max_retries)
    load_s = time.perf_counter() - started
    rules, refined, fees_right, seconds, documents = ItemScore(), ItemScore(), 0, 0.0, 0
    for source in sorted(seeds.glob("*.txt")):
        gold = json.loads(source.with_name(f"{source.stem}.gold.json").read_text(encoding="utf-8"))
        segmented = segment(normalize(read_document(load_source(source), settings), settings))
        baseline = extract_narrative(segmented)
        started = time.perf_counter()
        narrative = refine_narrative(segmented, baseline, llm)
        seconds += time.perf_counter() - started
        documents += 1
        rules += _score(baseline, gold)[0]
        items, fee_right = _score(narrative, gold)
        refined += items
        fees_right += fee_right
        print(f"  {source.stem}: F1 {items.f1:.2f}, fee {'right' if fee_right else 'wrong'}", file=sys.stderr)
    usage = llm.usage
    return {
        "runtime": runtime_kind,
        "model": model,
        "load_s": load_s,
        "s_per_doc": seconds / documents,
        "tokens_in_per_doc": usage.tokens_in / documents,
        "tokens_out_per_doc": usage.tokens_out / documents,
        "calls_per_doc": usage.calls / documents,
        "peak_mib": peak_rss_mib(),
        "f1": refined.f1,
        "f1_rules": rules.f1,
        "fees_right": f"{fees_right}/{documents}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", action="append", choices=["llamacpp", "transformers", "openai"])
    parser.add_argument("--model", action="append")
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a child run: one runtime, one model
    args = parser.parse_args()
    runtimes = args.runtime or ["llamacpp", "transformers"]
    models = args.model or ["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"]
    if args.one:
        print(json.dumps(run_one(runtimes[0], models[0], args.seeds)))
        return
    header = f"{'runtime':<13}{'model':<21}{'load s':>7}{'s/doc':>8}{'tok in':>8}{'tok out':>8}{'calls':>6}{'peak MiB':>9}{'F1':>6}{'rules F1':>9}{'fees':>6}"
    rows = []
    for runtime_kind in runtimes:
        for model in models:
            print(f"{runtime_kind} {model}", file=sys.stderr)
            child = [sys.executable, __file__, "--one", "--runtime", runtime_kind, "--model", model, "--seeds", str(args.seeds)]
            result = json.loads(subprocess.run(child, check=True, capture_output=False, stdout=subprocess.PIPE, text=True).stdout)
            rows.append(
                f"{runtime_kind:<13}{model:<21}{result['load_s']:>7.1f}{result['s_per_doc']:>8.1f}"
                f"{result['tokens_in_per_doc']:>8.0f}{result['tokens_out_per_doc']:>8.0f}{result['calls_per_doc']:>6.1f}"
                f"{result['peak_mib']:>9.0f}{result['f1']:>6.2f}{result['f1_rules']:>9.2f}{result['fees_right']:>6}"
            )
    print(header)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
