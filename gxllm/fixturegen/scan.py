"""Scanned-looking copies of a born-digital report: the OCR path's known truth.

Each page of a PDF from :mod:`gxllm.fixturegen.pdf` is rendered at the scan's
resolution and put through what a copier and a scanner do to paper: faded
ink, a page fed a little crooked (or the wrong way round), blur, sensor
noise and JPEG compression. The pages are written as an image-only PDF or a
multi-page TIFF. Everything random is drawn from the ``rng`` given.
"""

from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

from gxllm.fixturegen.pdf import case_name, pdf_case
from gxllm.fixturegen.seeds import Seed, gold_json

SCAN_DPI = 200


@dataclass(frozen=True)
class ScanStyle:
    name: str
    max_skew: float  # degrees, either way
    fade: float  # share of the ink's darkness lost (0 keeps black black)
    blur: float  # Gaussian radius in pixels
    noise: float  # standard deviation of grey-level noise
    jpeg_quality: int
    quarter_turns: tuple[int, ...] = (0,)  # page turns drawn from, per page


STYLES: dict[str, ScanStyle] = {
    style.name: style
    for style in (
        ScanStyle("scan-clean", max_skew=0.5, fade=0.0, blur=0.0, noise=3.0, jpeg_quality=75),
        ScanStyle("scan-degraded", max_skew=2.5, fade=0.45, blur=1.0, noise=12.0, jpeg_quality=40),
        ScanStyle("scan-turned", max_skew=1.5, fade=0.2, blur=0.6, noise=6.0, jpeg_quality=60, quarter_turns=(1, 2, 3)),
    )
}


def degrade(page: Image.Image, style: ScanStyle, rng: random.Random) -> Image.Image:
    """One greyscale page as ``style`` scans it."""
    pixels = np.asarray(page.convert("L"), dtype=np.float32)
    pixels = 255 - (255 - pixels) * (1 - style.fade)
    image = Image.fromarray(pixels.clip(0, 255).astype(np.uint8))
    image = image.rotate(rng.uniform(-style.max_skew, style.max_skew), resample=Image.Resampling.BICUBIC, fillcolor=255)
    turns = rng.choice(style.quarter_turns)
    if turns:
        image = image.rotate(90 * turns, expand=True)
    if style.blur:
        image = image.filter(ImageFilter.GaussianBlur(style.blur))
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0, style.noise, (image.height, image.width))
    pixels = (np.asarray(image, dtype=np.float32) + noise).clip(0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=style.jpeg_quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def scan(pdf: bytes, style: ScanStyle, rng: random.Random, dpi: int = SCAN_DPI) -> list[Image.Image]:
    """Every page of ``pdf`` rendered at ``dpi`` and degraded as ``style`` says."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [degrade(page.render(scale=dpi / 72, grayscale=True).to_pil(), style, rng) for page in document]
    finally:
        document.close()


def image_pdf(pages: list[Image.Image], dpi: int = SCAN_DPI) -> bytes:
    """The pages as an image-only PDF (what a scanner's "scan to PDF" writes)."""
    out = io.BytesIO()
    # Fixed dates: the same seed must write the same bytes.
    fixed = time.gmtime(1704067200)  # 2024-01-01
    pages[0].save(
        out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi, creationDate=fixed, modDate=fixed
    )
    return out.getvalue()


def multipage_tiff(pages: list[Image.Image], dpi: int = SCAN_DPI) -> bytes:
    out = io.BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:], compression="jpeg", quality=60, dpi=(dpi, dpi))
    return out.getvalue()


# (born-digital case of gxllm.fixturegen.pdf.CASES, style, container): fixtures/scans.
CASES: tuple[tuple[tuple[str, str, bool], str, str], ...] = (
    (("lianyun-gov-2024", "grid", False), "scan-clean", ".pdf"),
    (("lianyun-gov-2024", "grid", False), "scan-degraded", ".pdf"),
    (("haian-kjj-2019", "grid-serif", True), "scan-clean", ".tif"),
    (("haian-kjj-2019", "grid-serif", True), "scan-degraded", ".pdf"),
    (("lianyun-kjj-2024", "open", True), "scan-clean", ".pdf"),
    (("lianyun-kjj-2024", "open", True), "scan-degraded", ".pdf"),
    (("yindu-kjj-2024", "grid", True), "scan-turned", ".tif"),
)


def write_scan_cases(out: Path, seeds: dict[str, Seed], seed: int) -> None:
    """Write every case of :data:`CASES`, the scan of a born-digital case, with its gold."""
    out.mkdir(parents=True, exist_ok=True)
    for (seed_name, layout, random_numbers), style, suffix in CASES:
        pdf, record = pdf_case(seeds, seed_name, layout, random_numbers, seed)
        name = f"{case_name(seed_name, layout, random_numbers)}.{style}"
        pages = scan(pdf, STYLES[style], random.Random(f"{seed}:{name}"))
        (out / f"{name}{suffix}").write_bytes(image_pdf(pages) if suffix == ".pdf" else multipage_tiff(pages))
        (out / f"{name}.gold.json").write_text(gold_json(record), encoding="utf-8")
