"""This process's peak resident memory, as benchmarks and the eval harness report it."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

_STATUS = Path("/proc/self/status")


def peak_rss_mib() -> float:
    """The high-water mark of this program's resident memory, in MiB.

    On Linux it is ``VmHWM``, the peak of this program's own memory:
    ``ru_maxrss`` would also count the parent's peak, which a child inherits
    across fork and exec (a benchmark's fresh process, a test's subprocess).
    Elsewhere it is ``ru_maxrss``.
    """
    if _STATUS.exists():
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux
