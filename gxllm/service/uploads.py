"""Accepting an uploaded report: its size and type checked before anything reads it.

An upload is kept as ``UPLOADS/SHA256/NAME``: the folder names the content,
the file keeps the name it was uploaded under (made safe), with the suffix
its own bytes justify. The web app never serves that folder: an upload is
only ever read by the pipeline's readers, never executed and never sent back.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from gxllm.errors import GxllmError
from gxllm.read import HTML_SUFFIXES, MARKDOWN_SUFFIXES, PDF_SUFFIXES, SUPPORTED_SUFFIXES, TEXT_SUFFIXES

# What a file's first bytes must be for its suffix; text and HTML have no
# signature, but must not be one of these binary formats in disguise.
_SIGNATURES: dict[frozenset[str], tuple[bytes, ...]] = {
    PDF_SUFFIXES: (b"%PDF-",),
    frozenset({".png"}): (b"\x89PNG\r\n\x1a\n",),
    frozenset({".jpg", ".jpeg"}): (b"\xff\xd8\xff",),
    frozenset({".tif", ".tiff"}): (b"II*\x00", b"MM\x00*"),
}
_NOT_TEXT = tuple(sig for sigs in _SIGNATURES.values() for sig in sigs) + (
    b"PK\x03\x04",  # zip: docx, xlsx
    b"\xd0\xcf\x11\xe0",  # OLE: doc, xls
    b"\x7fELF",
    b"MZ",
    b"\x1f\x8b",  # gzip
)
_CHUNK = 1024 * 1024
# What an uploaded file's name may keep: letters of any script, digits, - _ . and spaces.
_UNSAFE_NAME = re.compile(r"[^\w\-. ]+")
_NAME_LIMIT = 120


class RejectedUpload(GxllmError):
    """An upload refused before reading: too large, empty, or not a report file type."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.too_large = too_large


def _suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        accepted = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise RejectedUpload(f"不支持的文件类型“{suffix or '无后缀'}”，可上传：{accepted}")
    return suffix


def _check_type(suffix: str, head: bytes) -> None:
    if suffix in TEXT_SUFFIXES | HTML_SUFFIXES | MARKDOWN_SUFFIXES:
        if head.startswith(_NOT_TEXT):
            raise RejectedUpload(f"文件内容不是文本，与后缀“{suffix}”不符")
        return
    expected = next(sigs for suffixes, sigs in _SIGNATURES.items() if suffix in suffixes)
    if not head.startswith(expected):
        raise RejectedUpload(f"文件内容与后缀“{suffix}”不符")


def _safe_name(filename: str, suffix: str) -> str:
    stem = _UNSAFE_NAME.sub("_", Path(filename.replace("\\", "/")).stem).strip(" .") or "upload"
    return stem[:_NAME_LIMIT] + suffix


def store_upload(stream: BinaryIO, filename: str, folder: Path, max_bytes: int) -> Path:
    """Copy ``stream`` to ``folder/SHA256/NAME`` (NAME: the uploaded name, made safe) and return that path.

    Reading stops one chunk past ``max_bytes``, so an oversized upload is never
    held whole; a refused one leaves nothing behind. Each upload is written to
    a scratch file of its own and then moved into place, so identical uploads
    at the same moment each end with the same whole file.
    """
    suffix = _suffix(filename)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            head = b""
            while chunk := stream.read(_CHUNK):
                if not head:
                    head = chunk[:16]
                    _check_type(suffix, head)
                size += len(chunk)
                if size > max_bytes:
                    raise RejectedUpload(f"文件超过上限（{max_bytes} 字节）", too_large=True)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise RejectedUpload("文件是空的")
        os.chmod(temporary, 0o600)
        target = folder / digest.hexdigest() / _safe_name(filename, suffix)
        target.parent.mkdir(exist_ok=True)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
