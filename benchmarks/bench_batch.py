"""Documents per minute through ``gxllm batch`` for text, born-digital PDF and scanned input, by workers.

Usage: python benchmarks/bench_batch.py [--text N] [--pdf N] [--scan N] [--workers 1 2] [--cores 0,1]

Generates reports with random numbers on the seeds' prose (gxllm.fixturegen):
text layouts, born-digital PDFs (grid / open tables), and the same PDFs
scanned at 200 dpi as image-only PDFs (OCR). Each (kind, workers) pair runs a
whole batch into a fresh SQLite store, start-up of the worker pool included,
and reports documents and pages per minute of wall time, and the CPU seconds
per document spent in the workers and in the parent (which stores): on a
machine shared with other work, wall time says little about scaling, CPU
time still says what one document costs. ``--cores`` pins
this process and its workers to those CPUs (to measure "2 cores" on a larger
machine). Scans take tens of seconds each: keep ``--scan`` small on a shared
machine.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gxllm.batch import run_batch
from gxllm.fixturegen.generate import RANDOM_2019, RANDOM_2021, with_random_numbers
from gxllm.fixturegen.pdf import pdf_case
from gxllm.fixturegen.scan import STYLES, image_pdf, scan
from gxllm.fixturegen.seeds import load_seeds
from gxllm.fixturegen.text_layouts import render
from gxllm.settings import get_settings

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
SEED_NAMES = (RANDOM_2019, *RANDOM_2021)
TEXT_LAYOUTS = ("rows", "cells", "pipe", "tab")
PDF_LAYOUTS = ("grid", "open")


def write_text(folder: Path, count: int) -> None:
    seeds = load_seeds(SEEDS)
    for i in range(count):
        rng = random.Random(i)
        seed = seeds[SEED_NAMES[i % len(SEED_NAMES)]]
        variant = render(TEXT_LAYOUTS[i % len(TEXT_LAYOUTS)], seed.text, with_random_numbers(seed, rng), rng)
        (folder / f"report-{i:04d}.txt").write_text(variant.text, encoding="utf-8")


def _pdf(i: int) -> bytes:
    pdf, _ = pdf_case(load_seeds(SEEDS), SEED_NAMES[i % len(SEED_NAMES)], PDF_LAYOUTS[i % len(PDF_LAYOUTS)], True, i)
    return pdf


def write_pdf(folder: Path, count: int) -> None:
    for i in range(count):
        (folder / f"report-{i:04d}.pdf").write_bytes(_pdf(i))


def write_scan(folder: Path, count: int) -> None:
    for i in range(count):
        pages = scan(_pdf(i), STYLES["scan-clean"], random.Random(i))
        (folder / f"report-{i:04d}.pdf").write_bytes(image_pdf(pages))


KINDS: dict[str, Callable[[Path, int], None]] = {"text": write_text, "pdf": write_pdf, "scan": write_scan}


def _children_cpu() -> float:
    """CPU seconds of the worker processes that have ended (the pool is joined when a batch returns)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=int, default=200, help="text reports")
    parser.add_argument("--pdf", type=int, default=20, help="born-digital PDF reports")
    parser.add_argument("--scan", type=int, default=2, help="scanned (image-only PDF) reports")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to compare")
    parser.add_argument("--cores", help="comma-separated CPUs to pin to, e.g. 0,1")
    args = parser.parse_args()
    if args.cores:
        os.sched_setaffinity(0, {int(core) for core in args.cores.split(",")})
    print(f"CPUs usable: {len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'kind':<6}{'docs':>6}{'workers':>9}{'seconds':>9}{'docs/min':>10}{'pages/min':>11}"
          f"{'worker CPU s/doc':>18}{'parent CPU s/doc':>18}")
    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="gxllm-bench-") as scratch:
        for kind, count in (("text", args.text), ("pdf", args.pdf), ("scan", args.scan)):
            if count <= 0:
                continue
            inputs = Path(scratch) / kind
            inputs.mkdir()
            KINDS[kind](inputs, count)
            for workers in args.workers:
                url = f"sqlite:///{Path(scratch) / f'{kind}-{workers}.db'}"
                started, parent = time.perf_counter(), time.process_time()
                children = _children_cpu()
                summary = run_batch([inputs], settings=settings, db_url=url, workers=workers, show_progress=False)
                seconds = time.perf_counter() - started
                parent, children = time.process_time() - parent, _children_cpu() - children
                assert summary.extracted == count, f"{kind}: {len(summary.failures)} failed"
                print(
                    f"{kind:<6}{count:>6}{workers:>9}{seconds:>9.1f}"
                    f"{count / seconds * 60:>10.1f}{summary.pages / seconds * 60:>11.1f}"
                    f"{children / count:>18.3f}{parent / count:>18.3f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
