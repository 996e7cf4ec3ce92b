"""What every reader takes: a report's bytes and the name they go by."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePath


@dataclass(frozen=True)
class Source:
    """A report's bytes and the name it goes by (a path, or the file name of an
    upload or of bytes sent to another machine), like docling's ``DocumentStream``.

    Readers take this rather than a path, so bytes from anywhere are read
    alike and nothing is written to disk to hand them over. The name's suffix
    says which reader reads them; the name is what the extraction's source
    says it was read from.
    """

    name: str
    data: bytes

    @property
    def suffix(self) -> str:
        return PurePath(self.name).suffix.lower()

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()
