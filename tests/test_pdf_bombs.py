"""PDF decompression bombs and giant images: refused in one line, before any
page is parsed, in bounded memory, and never mistaken in a real report."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zlib
from functools import cache
from pathlib import Path

import pytest
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from gxllm.errors import UnsupportedInput
from gxllm.read import load_source, read_document
from gxllm.read.pdf_limits import check_pdf_limits
from gxllm.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PDFS = sorted((ROOT / "fixtures" / "pdf").glob("*.pdf")) + sorted((ROOT / "fixtures" / "scans").glob("*.pdf"))
MIB = 1 << 20
GIB_OF_ZEROS = 1024  # MiB a bomb inflates to


# --- bombs, written as raw PDF bytes -------------------------------------------------


def deflate_bomb(prefix: bytes, mebibytes: int) -> bytes:
    """A valid zlib stream of ``prefix`` and then ``mebibytes`` MiB of zeros, built
    without compressing a gigabyte: after a full flush deflate starts afresh, so
    each further MiB compresses to the same bytes."""
    block = bytes(MIB)
    compressor = zlib.compressobj(9)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH) == repeat
    end = compressor.flush()[:-4]  # the final empty block; its checksum covers only two MiB
    # Adler-32 over zeros: the low sum stays, the high sum grows by it once per byte.
    low, high = zlib.adler32(prefix) & 0xFFFF, zlib.adler32(prefix) >> 16
    high = (high + mebibytes * MIB * low) % 65521
    return head + repeat * mebibytes + end + ((high << 16) | low).to_bytes(4, "big")


@cache
def gigabyte_of_zeros() -> bytes:
    return deflate_bomb(b"", GIB_OF_ZEROS)


def stream(entries: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)


def page_objects(contents: bytes, image: bytes | None = None) -> dict[int, bytes]:
    """Catalog 1, pages 2, page 3 drawing content stream 4 and, when given, image 5."""
    resources = b"/Resources << /XObject << /Im1 5 0 R >> >>" if image else b""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R %s >>" % resources,
        4: contents,
    }
    if image:
        objects[5] = image
    return objects


def write_pdf(objects: dict[int, bytes], trailer: bytes = b"") -> bytes:
    """A PDF with a classic cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for objid, body in sorted(objects.items()):
        offsets[objid] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (objid, body))
    start = out.tell()
    size = max(objects) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for objid in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[objid] if objid in offsets else b"0000000000 65535 f \n")
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, start))
    return out.getvalue()


def write_pdf_15(objects: dict[int, bytes], packed: dict[int, bytes], *, packed_zeros: int = 0, xref_zeros: int = 0) -> bytes:
    """A PDF 1.5: the ``packed`` objects in an object stream, indexed by a
    cross-reference stream; either stream is a bomb when MiB of zeros are
    asked to follow its real data."""
    objects = dict(objects)
    entries: dict[int, tuple[int, int, int]] = {}
    if packed:
        stream_id = max(objects) + 1
        offsets = [sum(len(body) + 1 for body in list(packed.values())[:i]) for i in range(len(packed))]
        header = b" ".join(b"%d %d" % pair for pair in zip(packed, offsets, strict=True)) + b" "
        data = header + b"\n".join(packed.values()) + b"\n"
        objects[stream_id] = stream(
            b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(packed), len(header)),
            deflate_bomb(data, packed_zeros) if packed_zeros else zlib.compress(data),
        )
        entries.update({objid: (2, stream_id, index) for index, objid in enumerate(packed)})
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    for objid, body in sorted(objects.items()):
        entries[objid] = (1, out.tell(), 0)
        out.write(b"%d 0 obj\n%s\nendobj\n" % (objid, body))
    xref_id = max(entries) + 1
    start = entries[xref_id] = (1, out.tell(), 0)
    rows = b"".join(
        bytes([kind]) + field.to_bytes(4, "big") + extra.to_bytes(2, "big")
        for kind, field, extra in (entries.get(objid, (0, 0, 65535)) for objid in range(xref_id + 1))
    )
    data = deflate_bomb(rows, xref_zeros) if xref_zeros else zlib.compress(rows)
    xref = stream(b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode" % (xref_id + 1), data)
    out.write(b"%d 0 obj\n%s\nendobj\nstartxref\n%d\n%%%%EOF\n" % (xref_id, xref, start[1]))
    return out.getvalue()


def encrypted_bomb(tmp_path: Path) -> bytes:
    """The nested-filter bomb, RC4-encrypted with an empty user password (PDFium
    opens such a file without asking): the Encrypt dictionary and file ID come
    from a file reportlab encrypted, and pdfminer's RC4 enciphers as it deciphers."""
    sample = tmp_path / "sample.pdf"
    page = canvas.Canvas(str(sample), encrypt=StandardEncryption("", ownerPassword="owner"), invariant=True)
    page.drawString(72, 720, "sample")
    page.save()
    document = PDFDocument(PDFParser(io.BytesIO(sample.read_bytes())))
    (first_id, second_id), encrypt = document.encryption
    assert encrypt["Filter"].name == "Standard" and encrypt["V"] in (1, 2)  # RC4
    secret = document.decipher(4, 0, zlib.compress(gigabyte_of_zeros(), 9), {})
    objects = page_objects(stream(b"/Filter [/FlateDecode /FlateDecode]", secret))
    objects[6] = b"<< /Filter /Standard /V %d /R %d /Length %d /P %d /O <%s> /U <%s> >>" % (
        encrypt["V"], encrypt["R"], encrypt.get("Length", 40), encrypt["P"], encrypt["O"].hex().encode(), encrypt["U"].hex().encode()
    )
    return write_pdf(objects, trailer=b"/Encrypt 6 0 R /ID [<%s> <%s>]" % (first_id.hex().encode(), second_id.hex().encode()))


def bomb(kind: str, tmp_path: Path) -> bytes:
    zeros = gigabyte_of_zeros()
    if kind == "content":
        return write_pdf(page_objects(stream(b"/Filter /FlateDecode", zeros)))
    if kind == "nested-filters":
        # a gigabyte of zeros deflated twice: a few kilobytes on disk
        return write_pdf(page_objects(stream(b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(zeros, 9))))
    if kind == "image-size":
        image = stream(
            b"/Type /XObject /Subtype /Image /Width 100000 /Height 100000 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode",
            zlib.compress(bytes(1000)),
        )
        return write_pdf(page_objects(stream(b"", b"q 595 0 0 842 0 0 cm /Im1 Do Q"), image))
    if kind == "object-stream":
        objects = page_objects(stream(b"", b"BT /F1 12 Tf 72 720 Td (report) Tj ET"))
        packed = {objid: objects.pop(objid) for objid in (2, 3)}
        return write_pdf_15(objects, packed, packed_zeros=GIB_OF_ZEROS)
    if kind == "xref-stream":
        objects = page_objects(stream(b"", b"BT /F1 12 Tf 72 720 Td (report) Tj ET"))
        return write_pdf_15(objects, {}, xref_zeros=GIB_OF_ZEROS)
    if kind == "encrypted":
        return encrypted_bomb(tmp_path)
    raise ValueError(kind)


def inflate_message(limit: int, objid: int) -> str:
    return f"the PDF's streams inflate to more than {limit} bytes, passing the limit at object {objid} (GXLLM_MAX_INFLATED_BYTES)"


# --- tests ---------------------------------------------------------------------------


def test_the_bomb_is_a_valid_zlib_stream() -> None:
    assert zlib.decompress(deflate_bomb(b"header ", 3)) == b"header " + bytes(3 * MIB)
    assert len(gigabyte_of_zeros()) < 1.1 * MIB  # a thousandfold


BOMBS = {
    "content": inflate_message(64 * MIB, 4),
    "nested-filters": inflate_message(64 * MIB, 4),
    "image-size": "image object 5 is 100000×100000 pixels, over the limit of 60000000 (GXLLM_MAX_PAGE_PIXELS)",
    "object-stream": inflate_message(64 * MIB, 5),
    "xref-stream": inflate_message(64 * MIB, 5),
    "encrypted": inflate_message(64 * MIB, 4),
}


@pytest.mark.parametrize("kind", BOMBS)
def test_bomb_is_refused_in_one_line(kind: str, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedInput) as refused:
        check_pdf_limits(bomb(kind, tmp_path), Settings(max_inflated_bytes=64 * MIB))
    assert str(refused.value) == BOMBS[kind]


def test_extract_names_each_bomb_writes_nothing_and_stays_small(tmp_path: Path) -> None:
    """The whole command in a fresh process: exit 1, one line per file, no
    output, and a peak far below the gigabyte each bomb holds."""
    files = []
    for kind in BOMBS:
        files.append(tmp_path / f"{kind}.pdf")
        files[-1].write_bytes(bomb(kind, tmp_path))
    out = tmp_path / "out"
    script = (
        "import sys\n"
        "from gxllm.cli import app\n"
        "from gxllm.memory import peak_rss_mib\n"
        "try:\n    app(sys.argv[1:])\n"
        "except SystemExit as done:\n    code = done.code\n"
        "print(int(peak_rss_mib()))\n"  # its own peak, not pytest's
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "extract", *map(str, files), "--out", str(out), "--no-llm"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
        env={**os.environ, "GXLLM_MAX_INFLATED_BYTES": str(64 * MIB)},  # the setting the message names
    )
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == len(files), errors
    for path, error in zip(files, errors, strict=True):
        assert error == f"gxllm: {path}: {BOMBS[path.stem]}"
    assert not out.exists() or not any(out.iterdir())
    assert int(result.stdout.split()[-1]) < 400  # MiB at peak; each bomb inflates to 1024


@pytest.mark.parametrize("path", FIXTURE_PDFS, ids=lambda p: p.name)
def test_fixture_pdfs_pass(path: Path) -> None:
    check_pdf_limits(path.read_bytes(), Settings())


def test_fixtures_of_both_kinds_are_checked() -> None:
    assert {p.parent.name for p in FIXTURE_PDFS} == {"pdf", "scans"}


def contents_of(inflated: int, entries: bytes = b"/Filter /FlateDecode") -> bytes:
    return write_pdf(page_objects(stream(entries, zlib.compress(bytes(inflated)))))


def test_the_limit_is_exact() -> None:
    check_pdf_limits(contents_of(1000), Settings(max_inflated_bytes=1000))
    with pytest.raises(UnsupportedInput, match="more than 999 bytes"):
        check_pdf_limits(contents_of(1000), Settings(max_inflated_bytes=999))


def test_every_filter_of_a_chain_counts() -> None:
    # ASCIIHex over Flate: 2×100 hex digits, then 1000 zeros
    data = zlib.compress(bytes(1000)).hex().encode() + b">"
    pdf = write_pdf(page_objects(stream(b"/Filter [/ASCIIHexDecode /FlateDecode]", data)))
    check_pdf_limits(pdf, Settings(max_inflated_bytes=1000 + len(data) // 2))
    with pytest.raises(UnsupportedInput):
        check_pdf_limits(pdf, Settings(max_inflated_bytes=1000 + len(data) // 2 - 1))


@pytest.mark.parametrize("second", [b"/ASCIIHexDecode", b"/ASCII85Decode", b"/RunLengthDecode", b"/LZWDecode"])
def test_a_bomb_before_another_filter_is_still_refused(second: bytes) -> None:
    pdf = write_pdf(page_objects(stream(b"/Filter [/FlateDecode %s]" % second, zlib.compress(b"0" * 4 * MIB))))
    with pytest.raises(UnsupportedInput, match="passing the limit at object 4"):
        check_pdf_limits(pdf, Settings(max_inflated_bytes=MIB))


def test_image_pixels_are_bounded_by_their_size_not_inflated() -> None:
    """A scanned page's pixel data is PDFium's to decode row by row: it does not
    count against the inflate limit, its declared size does against the pixel limit."""

    def page_with_image(width: int, height: int) -> bytes:
        image = stream(
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode" % (width, height),
            zlib.compress(bytes(width * height)),
        )
        return write_pdf(page_objects(stream(b"", b"q 595 0 0 842 0 0 cm /Im1 Do Q"), image))

    check_pdf_limits(page_with_image(2000, 1500), Settings(max_inflated_bytes=MIB, max_page_pixels=3_000_000))
    with pytest.raises(UnsupportedInput, match=r"image object 5 is 2000×1501 pixels, over the limit of 3000000"):
        check_pdf_limits(page_with_image(2000, 1501), Settings(max_inflated_bytes=MIB, max_page_pixels=3_000_000))


@pytest.mark.parametrize(
    "length",
    [b"/Length 10", b"/Length 9 0 R", b""],
    ids=["length-too-short", "length-indirect", "length-missing"],
)
def test_a_stream_is_read_to_its_end_whatever_its_length_says(length: bytes) -> None:
    data = zlib.compress(bytes(4 * MIB))
    body = b"<< /Filter /FlateDecode %s >>\nstream\n%s\nendstream" % (length, data)
    pdf = write_pdf({**page_objects(body), 9: b"%d" % len(data)})
    with pytest.raises(UnsupportedInput, match="passing the limit at object 4"):
        check_pdf_limits(pdf, Settings(max_inflated_bytes=MIB))


def test_a_real_pdf_is_read_through_the_guard(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bomb("nested-filters", tmp_path))
    with pytest.raises(UnsupportedInput, match="GXLLM_MAX_INFLATED_BYTES"):
        read_document(load_source(path, Settings()), Settings(max_inflated_bytes=MIB))
