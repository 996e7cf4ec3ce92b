"""Seconds per text report to read its tables, by kind of text, side by side.

Usage: python benchmarks/bench_tables.py [--repeat N]

For every text-like fixture (real crawler dumps, Markdown and Word pages in
fixtures/real; the generated layouts, Markdown, HTML and pdftotext cases),
times reading the file to its sections (read + normalise + segment) and the
table reader alone (sections 二–四 to cells, the sums choosing among
readings), best of ``--repeat`` runs each. The issue's target: tables under
0.3 s per text report.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from pathlib import Path

from gxllm.evaluate.gold import load_gold_dir
from gxllm.pipeline import read_normalized
from gxllm.segment import segment
from gxllm.settings import Settings
from gxllm.tables import read_tables

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FOLDERS = ("real", "layouts", "markdown", "html", "pdftotext", "encodings", "seeds")
TEXT = {".txt", ".md", ".html", ".htm"}


def _kind(name: str) -> str:
    """The row a case is reported under: its folder, and the layout for generated text."""
    folder, file = name.split("/", 1)
    if folder == "layouts":
        return f"layouts/{file.split('.')[1]}"
    if folder == "real":
        return f"real/{Path(file).suffix.lstrip('.')}"
    return folder


def _best(repeat: int, run) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best is kept (default 3)")
    args = parser.parse_args()
    rows: dict[str, list[tuple[float, float]]] = defaultdict(list)
    settings = Settings()
    for case in load_gold_dir(FIXTURES):
        if case.source.suffix.lower() not in TEXT or case.name.split("/")[0] not in FOLDERS:
            continue
        read_s, segmented = _best(args.repeat, lambda path=case.source: segment(read_normalized(path, settings)))
        tables_s, _ = _best(args.repeat, lambda s=segmented: read_tables(s))
        rows[_kind(case.name)].append((read_s, tables_s))
    print(f"{'kind':28} {'cases':>5} {'read s/doc':>11} {'tables s/doc':>13} {'tables max':>11}")
    everything = []
    for kind, timings in sorted(rows.items()):
        everything += timings
        tables = [t for _, t in timings]
        print(
            f"{kind:28} {len(timings):5d} {statistics.fmean(r for r, _ in timings):11.3f}"
            f" {statistics.fmean(tables):13.3f} {max(tables):11.3f}"
        )
    tables = [t for _, t in everything]
    print(f"{'all':28} {len(everything):5d} {statistics.fmean(r for r, _ in everything):11.3f}"
          f" {statistics.fmean(tables):13.3f} {max(tables):11.3f}")


if __name__ == "__main__":
    main()
