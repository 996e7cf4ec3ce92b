"""The import graph of gxllm/: each stage imports only the stages below it, and no
modules import each other round a cycle.

Every module belongs to a stage: its package under gxllm/ (``gxllm/tables/…``
is ``tables``) or its own name (``gxllm/segment.py`` is ``segment``). The
edges where a user comes in stand above everything: the command line
(``cli.py`` of any package, ``__main__.py``) and the Python API
(``gxllm/api.py``, loaded by the package's ``__init__``).
Imports inside functions count as much as those at the top of a file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from graphlib import TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gxllm"
EDGE = "edge"

# Lowest first: a stage may import its own modules and those of the stages on
# the lines above its own, and those on its own line so long as no cycle forms.
STAGE_ORDER: tuple[tuple[str, ...], ...] = (
    ("errors", "settings", "console", "memory"),  # plumbing
    ("template", "record", "lexicon", "labels", "document", "strict_json"),  # the format as data, the data passed between stages, reading JSON
    ("layout",),  # words, lines, ruling, table grids from positions
    ("ocr",),
    ("read",),
    ("normalize",),
    ("segment",),
    ("claims",),  # what the prose says about the tables: for the table reader and the validator
    ("tables", "narrative"),
    ("validate",),
    ("llm",),  # the optional second reader, checked like the rules
    ("pipeline",),
    ("evaluate", "fixturegen"),
    ("store",),
    ("export",),
    ("batch",),
    ("service",),
    (EDGE,),
)
LEVEL = {stage: level for level, stages in enumerate(STAGE_ORDER) for stage in stages}
# Imports that break the order today (and close a cycle), each with the change that is to remove it.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str:
    parts = module.split(".")
    if module in ("gxllm", "gxllm.api") or parts[-1] in ("cli", "__main__"):
        return EDGE
    return parts[1]


MODULES = {_module(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imported(tree: ast.AST) -> Iterator[str]:
    """The modules of gxllm/ an import names: ``from gxllm.a import b`` names ``gxllm.a.b`` when
    that is a module, else ``gxllm.a``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import"
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module or "" for alias in node.names]
        else:
            continue
        yield from (name for name in names if name == "gxllm" or name.startswith("gxllm."))


def module_imports() -> dict[str, set[str]]:
    """Each module of gxllm/ → the modules of gxllm/ it imports."""
    return {
        module: set(_imported(ast.parse(path.read_text(encoding="utf-8")))) - {module}
        for module, path in MODULES.items()
    }


def stage_imports() -> dict[tuple[str, str], set[str]]:
    """(importing stage, imported stage) → the modules whose imports make that edge."""
    edges: dict[tuple[str, str], set[str]] = {}
    for module, imported in module_imports().items():
        for name in imported:
            edge = (stage_of(module), stage_of(name))
            if edge[0] != edge[1]:
                edges.setdefault(edge, set()).add(module)
    return edges


def test_every_stage_has_its_place_in_the_order() -> None:
    stages = {stage_of(_module(path)) for path in PACKAGE.rglob("*.py")}
    assert sorted(stages - set(LEVEL)) == []
    assert sorted(set(LEVEL) - stages) == []


def test_no_stage_imports_a_stage_above_it() -> None:
    upward = {
        edge: sorted(modules)
        for edge, modules in stage_imports().items()
        if LEVEL[edge[1]] > LEVEL[edge[0]]
    }
    assert {edge: modules for edge, modules in upward.items() if edge not in KNOWN_EXCEPTIONS} == {}
    assert sorted(KNOWN_EXCEPTIONS) == sorted(upward)  # a mended exception leaves the list


def test_no_stages_import_each_other_round_a_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for importer, imported in set(stage_imports()) - set(KNOWN_EXCEPTIONS):
        graph.setdefault(importer, set()).add(imported)
    TopologicalSorter(graph).prepare()  # raises CycleError, naming the cycle


def test_no_modules_of_one_stage_import_each_other_round_a_cycle() -> None:
    # Across stages the order above rules cycles out; inside a stage (the service's app and its
    # routers, the language model's runtimes) only this does.
    graph = {
        module: {name for name in imported if stage_of(name) == stage_of(module)}
        for module, imported in module_imports().items()
    }
    TopologicalSorter(graph).prepare()  # raises CycleError, naming the cycle


def test_the_readers_use_layout_and_ocr_which_use_neither_them_nor_the_tables() -> None:
    edges = stage_imports()
    assert {("read", "layout"), ("read", "ocr"), ("ocr", "layout")} <= set(edges)
    assert sorted(b for a, b in edges if a == "layout") == ["document"]
    assert "tables" not in {b for a, b in edges if a in ("read", "ocr")}
