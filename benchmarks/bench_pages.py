"""Seconds per page and peak memory for text-layer pages and OCR pages.

Usage: python benchmarks/bench_pages.py [--pages N] [--threads T]

Renders one generated report (fixtures' born-digital layout), reads it by its
text layer, then reads the same pages as a 200-dpi image-only scan by OCR.
Peak memory is the process's maximum resident set (ru_maxrss) after each
phase. Keep runs short: other work shares the machine's cores.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

from gxllm.fixturegen.pdf import pdf_case
from gxllm.fixturegen.scan import STYLES, image_pdf, scan
from gxllm.fixturegen.seeds import load_seeds
from gxllm.ocr import get_engine
from gxllm.read.pdf import read_pdf
from gxllm.settings import Settings

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(path: Path, settings: Settings) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    document = read_pdf(path, settings)
    return time.perf_counter() - wall, time.process_time() - cpu, document.pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2, help="pages of the report to read (from the first)")
    parser.add_argument("--threads", type=int, default=2, help="OCR inference threads")
    args = parser.parse_args()
    settings = Settings(ocr_threads=args.threads)
    pdf, _ = pdf_case(load_seeds(SEEDS), "lianyun-gov-2024", "grid", False, 20240101)
    document = pdfium.PdfDocument(pdf)
    keep = pdfium.PdfDocument.new()
    keep.import_pages(document, list(range(min(args.pages, len(document)))))
    with tempfile.TemporaryDirectory() as folder:
        text_path = Path(folder) / "text.pdf"
        with text_path.open("wb") as out:
            keep.save(out)
        scan_path = Path(folder) / "scan.pdf"
        scan_path.write_bytes(image_pdf(scan(text_path.read_bytes(), STYLES["scan-clean"], random.Random(1))))
        wall, cpu, pages = _timed(text_path, settings)
        print(f"text layer: {wall / pages:.3f} s/page wall, {cpu / pages:.3f} s/page CPU, peak {_peak_mib():.0f} MiB ({pages} pages)")
        started = time.perf_counter()
        get_engine(settings)
        print(f"OCR models loaded in {time.perf_counter() - started:.2f} s")
        wall, cpu, pages = _timed(scan_path, settings)
        print(
            f"OCR at {settings.ocr_dpi} dpi, {args.threads} threads: {wall / pages:.2f} s/page wall, "
            f"{cpu / pages:.2f} s/page CPU, peak {_peak_mib():.0f} MiB ({pages} pages)"
        )


if __name__ == "__main__":
    main()
