"""Seconds per page (wall and CPU) and peak memory: text-layer pages against OCR pages.

Usage: python benchmarks/bench_pages.py [--pages N] [--threads T]

Renders one generated report (the fixtures' born-digital grid layout: prose
pages and table pages), reads it by its text layer, then reads the same pages
as a 200-dpi image-only scan by OCR. Each reading runs in a fresh process, so
its peak resident memory (VmHWM) is its own; OCR models are loaded before
the clock starts and their loading is shown apart. CPU seconds count every
thread of the process: on a machine shared with other work they are the
steadier figure, wall seconds the one the goal is set in.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pypdfium2 as pdfium

from gxllm.fixturegen.pdf import pdf_case
from gxllm.fixturegen.scan import STYLES, image_pdf, scan
from gxllm.fixturegen.seeds import load_seeds
from gxllm.memory import peak_rss_mib
from gxllm.ocr import get_engine
from gxllm.read import load_source
from gxllm.read.pdf import read_pdf
from gxllm.settings import Settings

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


class Reading(NamedTuple):
    pages: int
    wall: float
    cpu: float
    peak_mib: float
    load: float


def _read(path: Path, settings: Settings, ocr: bool) -> Reading:
    """Read ``path`` in this (fresh) process; with ``ocr``, models are loaded first."""
    started = time.perf_counter()
    if ocr:
        get_engine(settings)
    load = time.perf_counter() - started
    wall, cpu = time.perf_counter(), time.process_time()
    document = read_pdf(load_source(path, settings), settings)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = peak_rss_mib()
    return Reading(document.pages, wall, cpu, peak, load)


def _in_fresh_process(path: Path, settings: Settings, ocr: bool) -> Reading:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_read, path, settings, ocr).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, help="pages of the report to read, from the first (default: all)")
    parser.add_argument("--threads", type=int, default=2, help="OCR inference threads (GXLLM_OCR_THREADS)")
    args = parser.parse_args()
    settings = Settings(ocr_threads=args.threads)
    pdf, _ = pdf_case(load_seeds(SEEDS), "lianyun-gov-2024", "grid", False, 20240101)
    document = pdfium.PdfDocument(pdf)
    keep = pdfium.PdfDocument.new()
    keep.import_pages(document, list(range(min(args.pages or len(document), len(document)))))
    with tempfile.TemporaryDirectory() as folder:
        text_path = Path(folder) / "text.pdf"
        with text_path.open("wb") as out:
            keep.save(out)
        scan_path = Path(folder) / "scan.pdf"
        scan_path.write_bytes(image_pdf(scan(text_path.read_bytes(), STYLES["scan-clean"], random.Random(1))))
        text = _in_fresh_process(text_path, settings, ocr=False)
        ocr = _in_fresh_process(scan_path, settings, ocr=True)
    print(f"{'pages read by':<30}{'pages':>6}{'s/page wall':>13}{'s/page CPU':>12}{'peak MiB':>10}")
    for label, reading in (("text layer", text), (f"OCR, {settings.ocr_dpi} dpi, {args.threads} threads", ocr)):
        print(
            f"{label:<30}{reading.pages:>6}{reading.wall / reading.pages:>13.2f}"
            f"{reading.cpu / reading.pages:>12.2f}{reading.peak_mib:>10.0f}"
        )
    print(f"OCR models loaded once per process in {ocr.load:.2f} s (not counted above)")


if __name__ == "__main__":
    main()
