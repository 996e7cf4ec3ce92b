"""Plain-text reports: the encoding is detected from the bytes, never assumed."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from gxllm.document import Document, Line
from gxllm.errors import EmptyInput, UnreadableInput
from gxllm.read.source import Source

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Share of text characters below which a decoding is taken for garbage.
_MIN_TEXT_SHARE = 0.9
# A line of prose: a sentence's full stop and more than a table cell holds.
_PROSE_LENGTH = 20


def _bom_free_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: Chinese text has many zero bytes on one side."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    # ASCII line breaks, digits and spaces give a zero byte in every such
    # character; CJK only now and then (U+4E00 is 00 4E). One side with many
    # zeros and the other with few.
    for zeros, other, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros > half * 0.05 and other * 4 < zeros:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\t\r\n")
    return printable / len(text) >= _MIN_TEXT_SHARE


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) for a report's bytes.

    Order: a byte-order mark; strict UTF-8; UTF-16 without a BOM; strict
    GB18030 (a superset of GBK and GB2312); then charset-normalizer's best
    guess. Anything that still is not text is refused.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise UnreadableInput(f"starts with a {encoding} byte-order mark but is not {encoding}: {error}") from None
    if b"\x00" not in data:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    utf16 = _bom_free_utf16(data)
    if utf16 is not None and _looks_like_text(utf16):
        return utf16, "utf-16"
    if b"\x00" not in data:
        try:
            text = data.decode("gb18030")
            if _looks_like_text(text):
                return text, "gb18030"
        except UnicodeDecodeError:
            pass
    best = from_bytes(data).best()
    if best is not None and _looks_like_text(str(best)):
        return str(best), best.encoding
    raise UnreadableInput("not text in any encoding gxllm knows (UTF-8/16/32, GB18030/GBK)")


def _without_trailing_tabs(lines: list[str]) -> list[Line]:
    """Lines as stored, less the tabs some crawlers end every line with.

    A tab at a line's end may close a blank table cell, so it stays, unless
    the prose ends with tabs too: a sentence is never followed by a cell, so
    there the trailing tabs are the crawler's and no line's are cells."""
    prose = [line for line in lines if "。" in line and len(line.strip()) > _PROSE_LENGTH]
    if prose and sum(line.endswith("\t") for line in prose) * 2 > len(prose):
        return [Line(text=line.rstrip("\t ")) for line in lines]
    return [Line(text=line) for line in lines]


def read_text(source: Source) -> Document:
    text, encoding = decode_bytes(source.data)
    if not text.strip():
        raise EmptyInput("the file holds no text")
    lines = _without_trailing_tabs(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return Document(path=source.name, sha256=source.sha256, kind="text", encoding=encoding, lines=lines)
