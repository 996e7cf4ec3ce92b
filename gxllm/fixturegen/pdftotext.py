"""Reports as ``pdftotext`` (poppler) prints a PDF's text layer, plain and ``-layout``.

Plain ``pdftotext`` prints text in reading order as it finds it: one cell a
line with blank lines between, a label that spans rows (其他处理 over
（七）总计 and 四、结转…) after the numbers of those rows, headers between
values. With ``-layout`` it keeps the page's columns: rows of cells separated
by runs of spaces, long labels wrapped above and below their numbers. The
text is made from the fixture PDFs themselves, so the gold is the PDF's.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

# variant name → pdftotext's options
MODES: dict[str, tuple[str, ...]] = {"pdftotext": (), "pdftotext-layout": ("-layout",)}


def write_pdftotext_cases(pdf_folder: Path, out: Path) -> None:
    """For every ``NAME.pdf`` with its gold in ``pdf_folder``, ``NAME.MODE.txt`` and its gold in ``out``."""
    if shutil.which("pdftotext") is None:
        raise RuntimeError("pdftotext is not installed: apt-get install poppler-utils (see .ci/system-deps)")
    out.mkdir(parents=True, exist_ok=True)
    for pdf in sorted(pdf_folder.glob("*.pdf")):
        gold = pdf.with_suffix(".gold.json")
        for mode, options in MODES.items():
            text = subprocess.run(
                ["pdftotext", *options, "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True
            ).stdout
            (out / f"{pdf.stem}.{mode}.txt").write_bytes(text)
            shutil.copyfile(gold, out / f"{pdf.stem}.{mode}.gold.json")
