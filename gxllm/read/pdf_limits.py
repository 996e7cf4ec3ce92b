"""Decompression bombs and giant images in a PDF, refused before any page is parsed.

pdfminer (under pdfplumber) decodes page contents, fonts and object streams
whole and keeps them for the document's life; PDFium inflates whole streams
too, and decodes an image row by row to its declared size when it renders a
scanned page. A small file whose streams inflate a thousandfold makes either
allocate gigabytes (or parse them for minutes); an image that declares
100000×100000 pixels costs PDFium time in proportion.

This guard finds every object written in the file by its ``N G obj`` header
(so a damaged or lying cross-reference table hides none, and cross-reference
and object streams are seen before anything decodes them), parses each
stream's dictionary with pdfminer without reading its data, and

* inflates every compressed stream ``STEP`` bytes at a time, counting the
  output and dropping it, so its own memory stays flat; every filter of a
  chain counts, and the document's total is capped by ``max_inflated_bytes``;
* refuses an image whose declared Width×Height is over ``max_page_pixels``.
  An image's last Flate or RunLength filter is not inflated here: pdfminer
  never decodes image data, and PDFium decodes that filter row by row, no
  further than the declared size that check bounds.

Objects inside an object stream cannot be streams (ISO 32000-1, 7.5.7), so
inflating the object stream itself covers them. A PDF encrypted without a
user password (PDFium opens it) is checked a second time, deciphered by
pdfminer's security handler; one that needs a password is left to PDFium to
refuse.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
from cryptography.hazmat.primitives.ciphers import Cipher
from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfdocument import PDFDocument, PDFStandardSecurityHandler, PDFStandardSecurityHandlerV4
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import (
    LITERALS_ASCII85_DECODE,
    LITERALS_ASCIIHEX_DECODE,
    LITERALS_FLATE_DECODE,
    LITERALS_LZW_DECODE,
    LITERALS_RUNLENGTH_DECODE,
    PDFObjRef,
)
from pdfminer.psparser import LIT, PSKeyword
from pdfminer.runlength import rldecode

from gxllm.errors import UnsupportedInput
from gxllm.settings import Settings

STEP = 1 << 20  # bytes of output per inflate call: the guard's own working memory
FEED = 1 << 16  # bytes of input per inflate call
# An object header is found from its ``obj`` keyword (a fast byte search),
# then its numbers are read from the few bytes before it.
_WHITESPACE = rb"[\0\t\n\f\r ]+"
_NUMBERS_BEFORE = re.compile(rb"(?<![0-9])([0-9]{1,10})" + _WHITESPACE + rb"([0-9]{1,5})" + _WHITESPACE + rb"\Z")
_HEADER_REACH = 64
_LETTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_IMAGE = LIT("Image")
_XREF = LIT("XRef")
# The filters PDFium leaves undone on an image until it draws it, row by row.
_ROW_DECODED = (*LITERALS_FLATE_DECODE, *LITERALS_RUNLENGTH_DECODE)
_MAX_REFERENCE_HOPS = 4

Chunks = Iterable[bytes | memoryview]
Decipher = Callable[[int, int, bytes, dict[str, Any]], bytes]


def _inflate(chunks: Chunks) -> Iterator[bytes]:
    """Flate, at most STEP bytes of output at a time; a damaged tail ends the
    stream, as it does for the readers. Input goes in by the FEED (zlib copies
    what it leaves unconsumed on every call)."""
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            view = memoryview(chunk)
            for at in range(0, len(view), FEED):
                piece: bytes | memoryview = view[at : at + FEED]
                while piece and not inflater.eof:
                    yield inflater.decompress(piece, STEP)
                    piece = inflater.unconsumed_tail
        while not inflater.eof and (rest := inflater.decompress(b"", STEP)):
            yield rest
    except zlib.error:
        return


def _unlzw(chunks: Chunks) -> Iterator[bytes]:
    """LZW, one code's string at a time (pdfminer's decoder is a generator)."""
    data = b"".join(chunks)  # outside the try: a refusal from an earlier filter must go through
    try:
        yield from LZWDecoder(io.BytesIO(data)).run()
    except Exception:  # noqa: BLE001 - pdfminer's decoders fail every way on damaged (or still enciphered) data
        return


def _whole(decode: Callable[[bytes], bytes]) -> Callable[[Chunks], Iterator[bytes]]:
    """A filter that expands at most 64 times (hex, ASCII85, run-length), decoded in one piece."""

    def stage(chunks: Chunks) -> Iterator[bytes]:
        data = b"".join(chunks)
        try:
            decoded = decode(data)
        except Exception:  # noqa: BLE001 - as for LZW: the readers report damaged data
            return
        yield decoded

    return stage


_STAGES: dict[Any, Callable[[Chunks], Iterator[bytes]]] = {
    **dict.fromkeys(LITERALS_FLATE_DECODE, _inflate),
    **dict.fromkeys(LITERALS_LZW_DECODE, _unlzw),
    **dict.fromkeys(LITERALS_ASCIIHEX_DECODE, _whole(asciihexdecode)),
    **dict.fromkeys(LITERALS_ASCII85_DECODE, _whole(ascii85decode)),
    **dict.fromkeys(LITERALS_RUNLENGTH_DECODE, _whole(rldecode)),
}


class _HeadParser(PDFParser):
    """pdfminer's object parser, stopped at the ``stream`` keyword: a stream's
    dictionary and where its data begins, the data itself left unread."""

    stream_keyword: int | None = None

    def do_keyword(self, pos: int, token: PSKeyword) -> None:
        if token is self.KEYWORD_STREAM:
            self.stream_keyword = pos
            self.add_results(*self.pop(1))
        else:
            super().do_keyword(pos, token)


@dataclass(frozen=True)
class _Stream:
    objid: int
    genno: int
    attrs: dict[str, Any]
    raw: memoryview
    filters: tuple[Any, ...]
    image_size: tuple[Any, Any] | None  # declared Width and Height of an image XObject


class _File:
    """The objects written in a PDF's bytes, found by their headers."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.parser = _HeadParser(io.BytesIO(data))
        self.heads = list(self._headers())
        self.bodies = {objid: body for objid, _, body in self.heads}  # a later definition wins, as in an update

    def _headers(self) -> Iterator[tuple[int, int, int]]:
        """(object number, generation, where its body starts) for every ``N G obj``."""
        at = self.data.find(b"obj")
        while at >= 0:
            after = at + len(b"obj")
            if after == len(self.data) or self.data[after] not in _LETTERS:
                numbers = _NUMBERS_BEFORE.search(self.data, max(0, at - _HEADER_REACH), at)
                if numbers is not None:
                    yield int(numbers[1]), int(numbers[2]), after
            at = self.data.find(b"obj", after)

    def _parse(self, body: int) -> Any:
        self.parser.seek(body)
        self.parser.stream_keyword = None
        try:
            return self.parser.nextobject()[1]
        except Exception:  # noqa: BLE001 - a damaged object is the readers' to report
            return None

    def resolve(self, value: Any) -> Any:
        """Follow references to objects written in the file; None for one inside an
        object stream (only small values live there) or missing."""
        for _ in range(_MAX_REFERENCE_HOPS):
            if not isinstance(value, PDFObjRef):
                return value
            body = self.bodies.get(value.objid)
            value = None if body is None else self._parse(body)
        return None

    def _data(self, keyword: int, attrs: dict[str, Any]) -> memoryview:
        """The stream's bytes: up to its /Length or its first ``endstream``,
        whichever is further, so neither reader sees more than is inflated here."""
        start = keyword + len(b"stream")
        start += 2 if self.data.startswith(b"\r\n", start) else 1 if self.data[start : start + 1] in (b"\n", b"\r") else 0
        found = self.data.find(b"endstream", start)
        end = len(self.data) if found < 0 else found
        length = self.resolve(attrs.get("Length"))
        if isinstance(length, int) and 0 <= length <= len(self.data) - start:
            end = max(end, start + length)
        return memoryview(self.data)[start:end]

    def streams(self) -> Iterator[_Stream]:
        for objid, genno, body in self.heads:
            attrs = self._parse(body)
            keyword = self.parser.stream_keyword
            if keyword is None or not isinstance(attrs, dict):
                continue
            filters = self.resolve(attrs.get("Filter"))
            filters = filters if isinstance(filters, list) else [] if filters is None else [filters]
            image = self.resolve(attrs.get("Subtype")) is _IMAGE
            yield _Stream(
                objid,
                genno,
                attrs,
                self._data(keyword, attrs),
                tuple(self.resolve(f) for f in filters),
                (self.resolve(attrs.get("Width")), self.resolve(attrs.get("Height"))) if image else None,
            )


class _Budget:
    """Bytes the document's streams may still inflate to."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def _counted(self, chunks: Iterator[bytes], objid: int) -> Iterator[bytes]:
        for chunk in chunks:
            self.left -= len(chunk)
            if self.left < 0:
                raise UnsupportedInput(
                    f"the PDF's streams inflate to more than {self.limit} bytes, passing the limit at object {objid} "
                    "(GXLLM_MAX_INFLATED_BYTES)"
                )
            yield chunk

    def inflate(self, stream: _Stream, data: bytes | memoryview) -> None:
        filters = stream.filters
        if stream.image_size is not None and filters and filters[-1] in _ROW_DECODED:
            filters = filters[:-1]
        chunks: Chunks = (data,)
        for name in filters:
            stage = _STAGES.get(name)
            if stage is None:  # an image codec, a crypt filter or an unknown one: pdfminer inflates no further
                break
            chunks = self._counted(stage(chunks), stream.objid)
        for _ in chunks:
            pass


def _check_image(stream: _Stream, settings: Settings) -> None:
    if stream.image_size is None:
        return
    width, height = stream.image_size
    if isinstance(width, int) and isinstance(height, int) and width * height > settings.max_page_pixels:
        raise UnsupportedInput(
            f"image object {stream.objid} is {width}×{height} pixels, over the limit of "
            f"{settings.max_page_pixels} (GXLLM_MAX_PAGE_PIXELS)"
        )


def _rc4(file_key: bytes) -> Decipher:
    """pdfminer's RC4 (ISO 32000-1, 7.6.2, algorithm 1) with cryptography's
    cipher: pdfminer's own is pure Python and quadratic, a minute for a 1 MB font."""

    def decipher(objid: int, genno: int, data: bytes, attrs: dict[str, Any]) -> bytes:
        key = file_key + objid.to_bytes(4, "little")[:3] + genno.to_bytes(4, "little")[:2]
        key = hashlib.md5(key).digest()[: min(len(key), 16)]
        return Cipher(ARC4(key), mode=None).decryptor().update(data)

    return decipher


def _decipher(data: bytes) -> Decipher | None:
    """Decryption for a PDF that opens without a password, by pdfminer's security
    handler (its RC4 done faster); None for one that is not encrypted, needs a
    password, or cannot be opened."""
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
    except Exception:  # noqa: BLE001 - PDFium then says why the file cannot be read
        return None
    handler = getattr(document.decipher, "__self__", None)
    if isinstance(handler, PDFStandardSecurityHandler) and handler.key is not None:
        streams_cipher = handler.cfm.get(handler.stmf) if isinstance(handler, PDFStandardSecurityHandlerV4) else handler.decrypt_rc4
        if streams_cipher == handler.decrypt_rc4:
            return _rc4(handler.key)
    return document.decipher


def check_pdf_limits(data: bytes, settings: Settings) -> None:
    """Refuse, in one line, a PDF whose streams inflate past ``max_inflated_bytes``
    or that holds an image over ``max_page_pixels``; memory stays bounded throughout."""
    streams = list(_File(data).streams())
    budget = _Budget(settings.max_inflated_bytes)
    for stream in streams:
        _check_image(stream, settings)
        budget.inflate(stream, stream.raw)
    # Ciphertext does not inflate, so an encrypted PDF's streams are counted again
    # in the clear (after the pass above has seen the cross-reference streams
    # pdfminer decodes on opening it).
    decipher = _decipher(data) if b"/Encrypt" in data else None
    if decipher is not None:
        for stream in streams:
            if stream.attrs.get("Type") is _XREF:  # never encrypted, counted already
                continue
            try:
                clear = decipher(stream.objid, stream.genno, bytes(stream.raw), stream.attrs)
            except Exception:  # noqa: BLE001 - a stream that cannot be deciphered cannot be inflated either
                continue
            budget.inflate(stream, clear)
