"""gxllm: checked, structured data from 政府信息公开工作年度报告.

The Python API (docs/api.md)::

    import gxllm
    extraction = gxllm.extract("report.pdf")        # -> gxllm.Extraction
    flags = gxllm.validate(extraction.record)        # -> [gxllm.Flag]
    with gxllm.open_store("gxllm.db") as store:      # -> gxllm.Store
        cells = store.cells()                        # pandas DataFrame, one row per cell

Each name is imported on first use, so ``import gxllm`` loads no dependency.
"""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import version
from types import ModuleType
from typing import TYPE_CHECKING, Any

# The version is written once, in pyproject.toml.
__version__ = version("gxllm")

if TYPE_CHECKING:
    from gxllm.api import Store, extract, open_store, validate
    from gxllm.record import Extraction, Flag, Record

# Public name -> the module that defines it.
_API = {
    "extract": "gxllm.api",
    "validate": "gxllm.api",
    "open_store": "gxllm.api",
    "Store": "gxllm.api",
    "Extraction": "gxllm.record",
    "Flag": "gxllm.record",
    "Record": "gxllm.record",
}
__all__ = ["Extraction", "Flag", "Record", "Store", "__version__", "extract", "open_store", "validate"]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'gxllm' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})


class _Package(ModuleType):
    """The gxllm package, whose subpackage ``gxllm.validate`` shares its name with the
    function ``gxllm.validate``. Importing a subpackage sets it as an attribute of its
    package; here that would replace the function, so the function is kept and the
    subpackage stays where imports find it, ``sys.modules["gxllm.validate"]``."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _API and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
