"""What a batch reads: report files found under the inputs, each known by its content hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from gxllm.read import SUPPORTED_SUFFIXES


def discover(inputs: Iterable[Path]) -> Iterator[Path]:
    """Files named on the command line as given; report files under folders, recursively and in order.

    A named file of an unknown type is still tried (and fails with its reason);
    inside a folder, other files (gold JSON, notes, hidden files) are not reports.
    """
    for item in inputs:
        if item.is_dir():
            for path in sorted(item.rglob("*")):
                hidden = any(part.startswith(".") for part in path.relative_to(item).parts)
                if path.is_file() and not hidden and path.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield path
        else:
            yield item


def content_hash(path: Path) -> tuple[str, int]:
    """The sha256 and size of the file's bytes (the same hash the readers put in ``SourceInfo``)."""
    with path.open("rb") as stream:
        digest = hashlib.file_digest(stream, "sha256")
    return digest.hexdigest(), path.stat().st_size
